-- SQL that keeps the detail aggregates (wait_histogram, repeat_gaps, call_paths: see
-- data/migrations/0012_detail_aggregates.sql, which defines the macros used here) up to date.
-- {table} is one of those tables, {changes} the macro giving its changes for batch $batch (every
-- leg when NULL) in zone $tz, {key} its rows' key columns (a merge rewrites every row of a key the
-- changes touch) and {count} its count column; all come from data/rollups.py, never from input.

-- name: changes
-- Fills aggregate_changes with the rows batch $batch adds to {table} (negative legs take earlier
-- counts out: an earlier leg of a customer whose next call the batch moved).
CREATE OR REPLACE TEMP TABLE aggregate_changes AS SELECT * FROM {changes};

-- name: merged
-- Fills aggregate_merged with the new rows of every (queue, local day) the changes touch: the
-- rows held plus the changes, summed per key, keys left with no legs dropped.
CREATE OR REPLACE TEMP TABLE aggregate_merged AS
SELECT * EXCLUDE ({count}), sum({count}) AS {count}
FROM (SELECT t.* FROM {table} t
      WHERE EXISTS (SELECT 1 FROM aggregate_changes c WHERE {key})
      UNION ALL BY NAME
      SELECT * FROM aggregate_changes)
GROUP BY ALL
HAVING sum({count}) <> 0;

-- name: delete_touched
-- Removes the rows of {table} for the (queue, local day) pairs the changes touch (merged rows follow).
DELETE FROM {table} t
WHERE EXISTS (SELECT 1 FROM aggregate_changes c WHERE {key});

-- name: insert_merged
-- Writes the merged rows back.
INSERT INTO {table} BY NAME SELECT * FROM aggregate_merged;

-- name: drop
-- Drops the temporary tables of one refresh.
DROP TABLE aggregate_changes; DROP TABLE aggregate_merged;

-- name: zone
-- Returns the zone the detail aggregates' local days are cut in.
SELECT tz FROM detail_zone;

-- name: reset
-- Empties the detail aggregates and their zone (a rebuild follows).
DELETE FROM wait_histogram; DELETE FROM repeat_gaps; DELETE FROM call_paths; DELETE FROM customer_calls;
DELETE FROM detail_zone; DELETE FROM aggregated_batches;

-- name: add_customer_calls
-- Adds the legs of batch $batch (every leg when NULL) with a usable customer id to customer_calls.
INSERT INTO customer_calls SELECT * FROM customer_calls_of($batch);

-- name: earlier_legs
-- Returns whether any leg is held besides those of batch $batch.
SELECT EXISTS (SELECT 1 FROM call_legs WHERE batch_id <> $batch);

-- name: batch_span
-- Returns, in whole epoch seconds, a day before the first leg of batch $batch and a day after its
-- last (the legs of its calls lie between), or the first and last leg's when $batch is NULL.
SELECT CAST(floor(epoch(min(offered_at))) AS BIGINT) - 86400, CAST(floor(epoch(max(offered_at))) AS BIGINT) + 86401
FROM call_legs
WHERE $batch IS NULL OR batch_id = $batch;

-- name: since
-- Returns, in whole epoch seconds, a moment at least 90 days before the first leg of batch $batch
-- (every leg when NULL) in customer_calls: no earlier leg's repeat_days can change with the batch.
SELECT CAST(floor(epoch(min(offered_at))) AS BIGINT) - 91 * 86400
FROM customer_calls
WHERE $batch IS NULL OR batch_id = $batch;

-- name: set_zone
-- Records the zone $tz the detail aggregates are rebuilt in.
INSERT INTO detail_zone VALUES ($tz);

-- name: forget_journeys
-- Removes the call_journeys rows of the calls with a leg in batch $batch (every row when NULL): they
-- are written again from all their legs, so a batch refreshed twice leaves the same rows. Only rows
-- whose call began in [$since, $until) are looked at (add_journeys writes no others), so the scan
-- skips the row groups of other days instead of reading every call's hash.
DELETE FROM call_journeys
WHERE $batch IS NULL
   OR (first_offered >= $since AND first_offered < $until
       AND call_hash IN (SELECT DISTINCT hash(coalesce(journey_id, call_id)) FROM call_legs WHERE batch_id = $batch));

-- name: add_journeys
-- Writes the call_journeys rows of the calls with a leg in batch $batch (every call when NULL) from
-- their legs of [$since, $until).
INSERT INTO call_journeys SELECT * FROM call_journeys_of($batch, $since, $until);

-- name: aggregated
-- Returns whether the detail aggregates hold batch $batch already.
SELECT EXISTS (SELECT 1 FROM aggregated_batches WHERE batch_id = $batch);

-- name: record_batches
-- Lists batch $batch (every batch holding legs when NULL) as held by the detail aggregates.
INSERT INTO aggregated_batches
SELECT DISTINCT batch_id FROM call_legs WHERE ($batch IS NULL OR batch_id = $batch)
  AND batch_id NOT IN (SELECT batch_id FROM aggregated_batches);

-- name: judge_hours
-- Judges again whether each call_journeys row of partner $partner from $since on came inside its
-- opening hours (a new hours version), local to the zone of its first leg's queue.
UPDATE call_journeys j
SET inside_hours = inside_opening_hours(j.partner_id, CAST(j.first_at AT TIME ZONE q.time_zone AS TIMESTAMP))
FROM queues q
WHERE q.queue_id = j.first_queue_id AND j.partner_id = $partner AND j.first_at >= $since;
