-- Schema version 8: the staffing floor under which a surge excuses nothing (issue 15).
--
-- A service-level miss is excused only by days on which the centre sent more than that day's
-- forecast plus the tolerance and the partner was staffed at least staffed_floor of its contracted
-- agent-minutes (a fraction; 0.95 = 95 %). Versions recorded before this keep the documented default.
ALTER TABLE agreements ADD COLUMN staffed_floor DOUBLE NOT NULL DEFAULT 0.95;
