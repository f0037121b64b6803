-- The detail aggregates the lake computes from the legs, beside the interval rollups: the store's
-- own definitions, not a second copy. Each statement calls the table macro the store fills the same
-- table with (data/migrations/0011_detail_aggregates.sql, 0016_scale.sql; data/rollups.py), over
-- every leg: local days of the reporting zone $tz, repeat gaps capped at 90 days, call paths and
-- journeys as the store keeps them. lake/portable.py expands the macros for DuckDB and for Spark.
-- $since and $until let every leg through (lake/compute.py, ALL_LEGS).

-- name: wait_histogram
-- Returns wait_histogram's rows: legs per queue, local day, outcome and wait second.
SELECT queue_id, local_day, outcome, wait_s, legs FROM wait_counts($tz, NULL)

-- name: repeat_gaps
-- Returns repeat_gaps' rows: answered legs per queue, local day, usable customer id and days to the
-- customer's next call (NULL: none within 90 days).
SELECT queue_id, local_day, usable, repeat_days, legs FROM repeat_gap_changes($tz, NULL, $first_start)

-- name: call_paths
-- Returns call_paths' rows: calls per local day of their first leg, path through the queues and answer.
SELECT local_day, path, answered, calls FROM call_path_counts($tz, NULL, NULL, $first_start, $last_end)

-- name: call_journeys
-- Returns call_journeys' rows, each with its call key in place of the key's hash (call_key: the
-- store's hash is DuckDB's own, taken when the rows are loaded, lake/load.py).
SELECT * FROM call_journeys_of(NULL, $first_start, $last_end)
