-- Schema version 7: the absolute volume minimums an agreement may set (issue 15).
--
-- Contracts guarantee a partner a share of the calls and often also a floor: so many calls, or so
-- many agent-hours of work, a week or a month. A shortfall against them is the centre's miss
-- (metrics/volume.py). NULL = the version sets no such minimum; calls are whole calls, agent-hours
-- are hours (logged-in minutes / 60 from the staffing table). DuckDB cannot add a column with a
-- CHECK constraint, so "not negative" is held by the one validator, partners.agreements.checked,
-- through which every version is written (the form, the importer, the CLI and the demo).
ALTER TABLE agreements ADD COLUMN calls_week_min INTEGER;
ALTER TABLE agreements ADD COLUMN calls_month_min INTEGER;
ALTER TABLE agreements ADD COLUMN agent_hours_week_min DOUBLE;
ALTER TABLE agreements ADD COLUMN agent_hours_month_min DOUBLE;
