-- SQL that keeps the detail aggregates (wait_histogram, repeat_gaps, call_paths: see
-- data/migrations/0011_detail_aggregates.sql and 0019_next_calls.sql, which define the macros used
-- here) up to date: an import adds its batch's changes; a rebuild (data/rollups.py) writes them
-- from every leg, in parts where a statement over every leg at once would need too much memory.
-- {table} is one of those tables, {changes} the SELECT giving its changes for batch $batch in zone $tz, {key} its rows' key columns (a merge rewrites every row of a key the
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
-- Empties customer_calls and the list of batches held (a rebuild from the legs follows).
DELETE FROM customer_calls; DELETE FROM aggregated_batches;

-- name: reset_cut
-- Empties the detail aggregates cut in local days and their zone (they are cut again next).
DELETE FROM wait_histogram; DELETE FROM repeat_gaps; DELETE FROM call_paths; DELETE FROM detail_zone;

-- name: add_customer_calls
-- Adds the legs of batch $batch (every leg when NULL) with a usable customer id to customer_calls,
-- their next calls not yet known (next_changes and hold_next_calls, or part_next_calls, find them).
INSERT INTO customer_calls BY NAME SELECT * FROM customer_calls_of($batch);

-- name: forget_queue_calls
-- A queue merge: removes customer_calls' rows of queues $gone and $kept (add_queue_calls writes them again).
DELETE FROM customer_calls WHERE queue_id IN ($gone, $kept);

-- name: add_queue_calls
-- A queue merge: adds the legs queue $kept now holds (its own and $gone's, less the duplicates
-- dropped) to customer_calls, their next calls not yet known (part_next_calls finds them).
INSERT INTO customer_calls BY NAME SELECT * FROM customer_calls_of(NULL) WHERE queue_id = $kept;

-- name: part_next_calls
-- A rebuild, one part of the customers at a time: fills next_changes with the customer_calls rows of
-- the customers whose hash is $part modulo $parts whose next call (next_at, migration 0019) is not
-- the one they hold, with their next call. A customer's legs are all in one part, so the windows
-- sort a part's legs, not every leg at once (at 100M legs that needs more memory than the machine
-- has). Found without pairing legs, as 0019's customer_next_calls: per customer and instant the call
-- there (or several); consecutive instants of one call form a run; a leg's next call is the next
-- instant unless that is its own call alone, then the first instant after that run.
CREATE OR REPLACE TEMP TABLE next_changes AS
WITH legs AS (
    SELECT rowid AS row_id, customer_id, offered_at, call_hash, next_at AS held_next
    FROM customer_calls
    WHERE customer_hash % CAST($parts AS UBIGINT) = CAST($part AS UBIGINT)
),
instants AS (
    SELECT customer_id, offered_at, min(call_hash) AS call_hash, count(DISTINCT call_hash) > 1 AS several
    FROM legs
    GROUP BY customer_id, offered_at
),
neighbours AS (
    SELECT *, lag(call_hash) OVER w AS previous_call, lag(several) OVER w AS previous_several,
           lead(offered_at) OVER w AS next_at
    FROM instants
    WINDOW w AS (PARTITION BY customer_id ORDER BY offered_at)
),
runs AS (
    SELECT *, sum(CASE WHEN several OR previous_several OR previous_call IS DISTINCT FROM call_hash THEN 1 ELSE 0 END)
                  OVER (PARTITION BY customer_id ORDER BY offered_at) AS run
    FROM neighbours
),
run_ends AS (
    SELECT *, last_value(next_at) OVER (PARTITION BY customer_id, run ORDER BY offered_at
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS after_run
    FROM runs
),
following AS (
    SELECT customer_id, offered_at, next_at,
           lead(call_hash) OVER w AS next_call, lead(several) OVER w AS next_several,
           lead(after_run) OVER w AS next_after_run
    FROM run_ends
    WINDOW w AS (PARTITION BY customer_id ORDER BY offered_at)
),
nexts AS (
    SELECT l.row_id, l.offered_at, l.held_next,
           CASE WHEN f.next_several OR f.next_call <> l.call_hash THEN f.next_at ELSE f.next_after_run END AS next_call_at
    FROM legs l
    JOIN following f ON f.customer_id = l.customer_id AND f.offered_at = l.offered_at
),
found AS (
    SELECT row_id, held_next,
           CASE WHEN repeat_days_between(offered_at, next_call_at) IS NOT NULL THEN next_call_at END AS next_at
    FROM nexts
)
SELECT row_id, next_at
FROM found
WHERE next_at IS DISTINCT FROM held_next;

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
-- Writes the next calls next_changes found to their customer_calls rows where they differ (a batch
-- leg with none within 90 days keeps NULL; a rebuild's leg whose next call went away gets NULL).
UPDATE customer_calls SET next_at = n.next_at
FROM next_changes n
WHERE customer_calls.rowid = n.row_id AND n.next_at IS DISTINCT FROM customer_calls.next_at;

-- name: drop_next_calls
-- Drops the temporary tables of the next calls.
DROP TABLE IF EXISTS batch_legs; DROP TABLE IF EXISTS held_legs; DROP TABLE IF EXISTS next_changes;

-- name: earlier_legs
-- Returns whether any leg is held besides those of batch $batch.
SELECT EXISTS (SELECT 1 FROM call_legs WHERE batch_id <> $batch);

-- name: batch_span
-- Returns, in whole epoch seconds, a day before the first leg of batch $batch and a day after its
-- last (the legs of its calls lie between).
SELECT CAST(floor(epoch(min(offered_at))) AS BIGINT) - 86400, CAST(floor(epoch(max(offered_at))) AS BIGINT) + 86401
FROM call_legs
WHERE batch_id = $batch;

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

-- name: cut_waits
-- A cut in zone $tz: wait_histogram from every leg.
INSERT INTO wait_histogram SELECT * FROM wait_counts($tz, NULL);

-- name: cut_repeat_gaps
-- A cut in zone $tz: repeat_gaps from the next calls customer_calls holds (an instant's next call is
-- the same in any zone) and the answered legs without a usable customer id.
INSERT INTO repeat_gaps
SELECT queue_id, CAST(offered_at AT TIME ZONE $tz AS DATE) AS local_day, TRUE AS usable,
       repeat_days_between(offered_at, next_at) AS repeat_days, count(*) AS legs
FROM customer_calls
WHERE answered
GROUP BY ALL
UNION ALL
SELECT * FROM unusable_answered($tz, NULL);

-- name: path_parts
-- Creates path_parts, call_paths' rows counted one part of the calls at a time (part_paths).
CREATE OR REPLACE TEMP TABLE path_parts (
    local_day DATE NOT NULL,
    path      STRUCT(queue_id INTEGER, answered BOOLEAN, turned_away BIGINT)[] NOT NULL,
    answered  BOOLEAN NOT NULL,
    calls     BIGINT NOT NULL
);

-- name: part_paths
-- A cut in zone $tz, one part of the calls at a time: adds to path_parts the calls whose key's hash
-- is $part modulo $parts, counted per local day of their first leg, path and whether anyone answered,
-- as migration 0011's call_path_counts counts every call (a call's legs are all in one part, so the
-- groups, one per call, hold a part of the calls, not every call at once).
INSERT INTO path_parts
WITH legs AS (
    SELECT coalesce(journey_id, call_id) AS call_key, queue_id, offered_at, outcome
    FROM call_legs
    WHERE hash(coalesce(journey_id, call_id)) % CAST($parts AS UBIGINT) = CAST($part AS UBIGINT)
),
per_queue AS (
    SELECT call_key, queue_id, min(offered_at) AS first_at, bool_or(outcome = 'answered') AS answered,
           count(*) FILTER (WHERE outcome = 'turned_away') AS turned_away
    FROM legs
    GROUP BY call_key, queue_id
),
calls AS (
    SELECT call_key, min(first_at) AS first_at, bool_or(answered) AS answered,
           list({'queue_id': queue_id, 'answered': answered, 'turned_away': turned_away} ORDER BY queue_id) AS path
    FROM per_queue
    GROUP BY call_key
)
SELECT CAST(first_at AT TIME ZONE $tz AS DATE) AS local_day, path, answered, count(*) AS calls
FROM calls
GROUP BY ALL;

-- name: cut_paths
-- Writes call_paths from the parts' counts (a day, path and outcome may come from several parts).
INSERT INTO call_paths
SELECT local_day, path, answered, sum(calls) AS calls
FROM path_parts
GROUP BY ALL;
DROP TABLE path_parts;

-- name: journey_parts
-- Creates journey_parts, call_journeys' rows found one part of the calls at a time (part_journeys).
CREATE OR REPLACE TEMP TABLE journey_parts (
    call_hash UBIGINT NOT NULL, first_offered TIMESTAMPTZ NOT NULL, partner_id INTEGER NOT NULL,
    first_queue_id INTEGER NOT NULL, first_at TIMESTAMPTZ NOT NULL, inside_hours BOOLEAN NOT NULL,
    in_house_legs BIGINT NOT NULL, in_house_wait_s BIGINT NOT NULL, partner_wait_s BIGINT NOT NULL,
    total_wait_s BIGINT NOT NULL, answered BOOLEAN NOT NULL, gave_up BOOLEAN NOT NULL, crossings BIGINT NOT NULL
);

-- name: part_journeys
-- A rebuild, one part of the calls at a time: adds to journey_parts the call_journeys rows of the
-- calls whose key's hash is $part modulo $parts, from all their legs, as migration 0016's
-- call_journeys_of(NULL, ...) gives them for every call (a call's legs are all in one part, so the
-- windows and groups, per call, hold a part of the calls, not every call at once).
INSERT INTO journey_parts
WITH legs AS (
    SELECT coalesce(l.journey_id, l.call_id) AS call_key, q.partner_id, q.time_zone, l.queue_id, l.offered_at,
           l.outcome, l.wait_s,
           row_number() OVER (PARTITION BY coalesce(l.journey_id, l.call_id)
                              ORDER BY l.offered_at, l.offered_at + l.wait_s * INTERVAL '1 second', l.queue_id) AS step
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE hash(coalesce(l.journey_id, l.call_id)) % CAST($parts AS UBIGINT) = CAST($part AS UBIGINT)
),
calls AS (
    SELECT call_key, min(offered_at) AS first_offered, min(step) FILTER (WHERE outcome = 'answered') AS answered_step
    FROM legs
    GROUP BY call_key
),
stepped AS (
    SELECT l.*, c.first_offered, c.answered_step,
           lag(l.partner_id) OVER w AS partner_before, lag(l.outcome) OVER w AS outcome_before
    FROM legs l
    JOIN calls c ON c.call_key = l.call_key
    WINDOW w AS (PARTITION BY l.call_key ORDER BY l.step)
),
call_totals AS (
    SELECT call_key, any_value(first_offered) AS first_offered, bool_or(outcome = 'answered') AS answered,
           sum(wait_s) FILTER (WHERE answered_step IS NULL OR step <= answered_step) AS total_wait_s,
           arg_max(outcome, step) AS last_outcome
    FROM stepped
    GROUP BY call_key
),
routed AS (
    SELECT call_key, partner_id, min(step) AS first_step, sum(wait_s) AS partner_wait_s,
           arg_min(offered_at, step) AS first_at, arg_min(queue_id, step) AS first_queue_id,
           arg_min(time_zone, step) AS time_zone
    FROM stepped
    WHERE partner_id IS NOT NULL
    GROUP BY call_key, partner_id
),
paths AS (
    SELECT r.call_key, r.partner_id,
           coalesce(sum(s.wait_s) FILTER (WHERE s.partner_id IS NULL AND s.step < r.first_step), 0) AS in_house_wait_s,
           count(*) FILTER (WHERE s.partner_id IS NULL AND s.step < r.first_step) AS in_house_legs,
           count(*) FILTER (WHERE s.outcome_before <> 'answered'
                              AND ((s.partner_before IS NULL AND s.partner_id = r.partner_id)
                                   OR (s.partner_before = r.partner_id AND s.partner_id IS NULL))) AS crossings
    FROM routed r
    JOIN stepped s ON s.call_key = r.call_key
    GROUP BY r.call_key, r.partner_id
)
SELECT hash(r.call_key) AS call_hash, c.first_offered, r.partner_id, r.first_queue_id, r.first_at,
       inside_opening_hours(r.partner_id, CAST(r.first_at AT TIME ZONE r.time_zone AS TIMESTAMP)) AS inside_hours,
       p.in_house_legs, CAST(p.in_house_wait_s AS BIGINT) AS in_house_wait_s,
       CAST(r.partner_wait_s AS BIGINT) AS partner_wait_s, CAST(c.total_wait_s AS BIGINT) AS total_wait_s,
       c.answered, NOT c.answered AND c.last_outcome = 'abandoned' AS gave_up, p.crossings
FROM routed r
JOIN paths p ON p.call_key = r.call_key AND p.partner_id = r.partner_id
JOIN call_totals c ON c.call_key = r.call_key

-- name: hold_journeys
-- Writes call_journeys from the parts, in the order of first_offered (a period's read skips the
-- row groups of other days).
INSERT INTO call_journeys SELECT * FROM journey_parts ORDER BY first_offered;
DROP TABLE journey_parts;
