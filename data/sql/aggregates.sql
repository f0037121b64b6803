-- SQL that keeps the detail aggregates (wait_histogram, repeat_gaps, call_paths: see
-- data/migrations/0011_detail_aggregates.sql and 0019_next_calls.sql, which define the macros used
-- here) up to date.
-- {table} is one of those tables, {changes} the SELECT giving its changes for batch $batch (every
-- leg when NULL) in zone $tz, {key} its rows' key columns (a merge rewrites every row of a key the
-- changes touch) and {count} its count column; all come from data/rollups.py, never from input.

-- name: changes
-- Fills aggregate_changes with the rows batch $batch adds to {table}, given by the SELECT data/rollups.py
-- puts after AS (negative legs take earlier counts out: a held leg whose next call the batch moved).
CREATE OR REPLACE TEMP TABLE aggregate_changes AS {changes};

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
-- Adds the legs of batch $batch (every leg when NULL) with a usable customer id to customer_calls,
-- their next calls not yet known (next_changes and hold_next_calls, or fill_next_calls, find them).
INSERT INTO customer_calls BY NAME SELECT * FROM customer_calls_of($batch);

-- name: fill_next_calls
-- A rebuild: fills next_changes with every leg of customer_calls and its next call (each one new),
-- and writes customer_calls again with them (in the order of offered_at).
CREATE OR REPLACE TEMP TABLE next_changes AS
SELECT CAST(NULL AS BIGINT) AS row_id, *, TRUE AS new, CAST(NULL AS TIMESTAMPTZ) AS old_next
FROM customer_next_calls(TIMESTAMPTZ '-infinity', NULL, NULL);
DELETE FROM customer_calls;
INSERT INTO customer_calls BY NAME
SELECT * EXCLUDE (row_id, new, old_next) FROM next_changes ORDER BY offered_at;

-- name: batch_legs
-- Fills batch_legs with the customer_calls rows of batch $batch, each with its row id (its next call
-- is written back to it).
CREATE OR REPLACE TEMP TABLE batch_legs AS
SELECT rowid AS row_id, customer_hash, customer_id, offered_at, call_hash, queue_id, answered
FROM customer_calls
WHERE batch_id = $batch;

-- name: batch_legs_span
-- Returns, in epoch microseconds, the first of batch_legs' instants, 91 days before it and 91 days
-- after the last (no leg outside those two can be a batch leg's next call or have one in the batch).
SELECT epoch_us(min(offered_at)), epoch_us(min(offered_at)) - 91 * 86400000000, epoch_us(max(offered_at)) + 91 * 86400000000
FROM batch_legs;

-- name: held_legs
-- Fills held_legs with the legs of other batches of the batch's customers that the batch may bring a
-- next call nearer to, or that may be a batch leg's next call: those after the customer's first leg
-- in the batch (to $until, 91 days after its last), and those from $since (91 days before its first
-- leg $first) whose next call is later than the customer's first leg in the batch or not within 90
-- days (NULL). The two parts are read apart so that each condition is on one column and goes into
-- the scan: row groups of other days are skipped on offered_at, and of the 91 days before the batch
-- only offered_at and next_at are read for legs whose next call came before it.
CREATE OR REPLACE TEMP TABLE held_legs AS
WITH customers AS (
    SELECT customer_hash, customer_id, min(offered_at) AS first_at
    FROM batch_legs
    GROUP BY customer_hash, customer_id
),
near AS (
    SELECT rowid AS row_id, customer_hash, customer_id, offered_at, call_hash, queue_id, answered, next_at
    FROM customer_calls
    WHERE batch_id <> $batch AND offered_at > $first AND offered_at <= $until
    UNION ALL
    SELECT rowid, customer_hash, customer_id, offered_at, call_hash, queue_id, answered, next_at
    FROM customer_calls
    WHERE batch_id <> $batch AND offered_at >= $since AND offered_at <= $first AND (next_at IS NULL OR next_at > $first)
)
SELECT c.*
FROM near c
JOIN customers k ON k.customer_hash = c.customer_hash AND k.customer_id = c.customer_id
WHERE c.offered_at > k.first_at OR c.next_at IS NULL OR c.next_at > k.first_at;

-- name: next_changes
-- Fills next_changes with each leg of the batch and its next call (new; the first later leg of the
-- customer of another call, among the batch's and the held ones, within 90 days), and each held leg
-- whose next call the batch brings nearer, with its new next call and the one it had (old_next).
CREATE OR REPLACE TEMP TABLE next_changes AS
WITH candidates AS (
    SELECT customer_hash, customer_id, offered_at, call_hash FROM batch_legs
    UNION ALL
    SELECT customer_hash, customer_id, offered_at, call_hash FROM held_legs
)
SELECT b.row_id, b.offered_at, b.queue_id, b.answered, TRUE AS new, CAST(NULL AS TIMESTAMPTZ) AS old_next,
       min(m.offered_at) AS next_at
FROM batch_legs b
LEFT JOIN candidates m
       ON m.customer_hash = b.customer_hash AND m.customer_id = b.customer_id AND m.offered_at > b.offered_at
      AND m.call_hash <> b.call_hash AND repeat_days_between(b.offered_at, m.offered_at) IS NOT NULL
GROUP BY b.row_id, b.offered_at, b.queue_id, b.answered
UNION ALL
SELECT h.row_id, h.offered_at, h.queue_id, h.answered, FALSE, h.next_at, min(b.offered_at)
FROM held_legs h
JOIN batch_legs b
  ON b.customer_hash = h.customer_hash AND b.customer_id = h.customer_id AND b.offered_at > h.offered_at
 AND b.call_hash <> h.call_hash AND repeat_days_between(h.offered_at, b.offered_at) IS NOT NULL
GROUP BY h.row_id, h.offered_at, h.queue_id, h.answered, h.next_at
HAVING h.next_at IS NULL OR min(b.offered_at) < h.next_at;

-- name: repeat_gap_moves
-- The rows batch $batch (every leg when NULL) adds to repeat_gaps, from next_changes: each answered
-- leg counted in at its repeat days, a held one counted out at those it had; and the batch's answered
-- legs without a usable customer id.
SELECT queue_id, CAST(offered_at AT TIME ZONE $tz AS DATE) AS local_day, TRUE AS usable,
       repeat_days_between(offered_at, next_at) AS repeat_days, count(*) AS legs
FROM next_changes
WHERE answered
GROUP BY ALL
UNION ALL
SELECT queue_id, CAST(offered_at AT TIME ZONE $tz AS DATE), TRUE, repeat_days_between(offered_at, old_next), -count(*)
FROM next_changes
WHERE answered AND NOT new
GROUP BY ALL
UNION ALL
SELECT * FROM unusable_answered($tz, $batch);

-- name: hold_next_calls
-- Writes the next calls next_changes found to their customer_calls rows (a batch leg with none
-- within 90 days keeps NULL).
UPDATE customer_calls SET next_at = n.next_at
FROM next_changes n
WHERE customer_calls.rowid = n.row_id AND n.next_at IS NOT NULL;

-- name: drop_next_calls
-- Drops the temporary tables of the next calls.
DROP TABLE IF EXISTS batch_legs; DROP TABLE IF EXISTS held_legs; DROP TABLE next_changes;

-- name: earlier_legs
-- Returns whether any leg is held besides those of batch $batch.
SELECT EXISTS (SELECT 1 FROM call_legs WHERE batch_id <> $batch);

-- name: batch_span
-- Returns, in whole epoch seconds, a day before the first leg of batch $batch and a day after its
-- last (the legs of its calls lie between), or the first and last leg's when $batch is NULL.
SELECT CAST(floor(epoch(min(offered_at))) AS BIGINT) - 86400, CAST(floor(epoch(max(offered_at))) AS BIGINT) + 86401
FROM call_legs
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
