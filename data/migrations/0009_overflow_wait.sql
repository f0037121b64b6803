-- Schema version 9: the in-house wait an agreement lets a call wait before it overflows (issue 15).
--
-- Many agreements say when the centre may send a call on: after so many seconds in the in-house
-- queue. The overflow audit (metrics/sql/details.sql `journeys`) counts the calls that waited
-- in-house and moved to the partner sooner ("overflowed early"). NULL = the version says nothing
-- about it; whole seconds, not negative (held by partners.agreements.checked, as for the minimums).
ALTER TABLE agreements ADD COLUMN overflow_after_s INTEGER;
