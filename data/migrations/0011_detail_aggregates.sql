-- Schema version 11: the detail aggregates (issue 22), so that no page reads call_legs.
--
-- * wait_histogram: per queue, local day (of the reporting zone in detail_zone), outcome and whole
--   second of wait, the legs. p90 wait is the exact percentile_disc(0.9) of it (waits are whole
--   seconds), and the in-house service level in any partner's T and S is a sum over it.
-- * repeat_gaps: per queue and local day the answered legs, by whether their customer id is usable
--   (usable_customer_id, migration 0006) and by repeat_days, the days (rounded up) from the leg to
--   the same customer's next call (another call or journey id), NULL when there is none within 90
--   days (the most FCR days a setting or agreement may take). A leg is resolved in N days when its
--   repeat_days IS NULL OR > N: the FCR statement's "no later call within N days", for any N <= 90.
-- * call_paths: per local day of a call's first leg, the calls by their path (each queue they
--   visited, whether it answered and its turned-away legs) and whether anyone answered: calls
--   routed to, answered by and turned away by any partner, and the calls of the centre, are sums
--   over it (call_volume). A call is its legs' journey_id, else call_id; an import finds the
--   earlier legs of its calls a day either side of its own legs (as call_volume does).
-- * detail_zone: the zone the local days are cut in; the tables are rebuilt when it changes.
-- * customer_calls: the legs with a usable customer id, reduced to what finding a leg's next call
--   needs, with a hash of the id so that an import finds the earlier legs of its customers without
--   comparing every leg's id text (the id itself is kept, and compared, so the match is exact; call
--   keys are compared by a 64-bit hash: two calls of one customer would have to collide).
--
-- Their rows grow with queues and days (waits and repeat days are bounded), not with legs. The
-- macros below hold the one definition of each; data/sql/aggregates.sql keeps them up to date at
-- every import (data/rollups.py) and the fill at the end of this file brings a database forward.
CREATE TABLE detail_zone (tz VARCHAR NOT NULL);

CREATE TABLE wait_histogram (
    queue_id  INTEGER NOT NULL,
    local_day DATE NOT NULL,
    outcome   VARCHAR NOT NULL,
    wait_s    INTEGER NOT NULL,
    legs      BIGINT NOT NULL
);

CREATE TABLE repeat_gaps (
    queue_id    INTEGER NOT NULL,
    local_day   DATE NOT NULL,
    usable      BOOLEAN NOT NULL,
    repeat_days INTEGER,
    legs        BIGINT NOT NULL
);

CREATE TABLE call_paths (
    local_day DATE NOT NULL,
    path      STRUCT(queue_id INTEGER, answered BOOLEAN, turned_away BIGINT)[] NOT NULL,
    answered  BOOLEAN NOT NULL,
    calls     BIGINT NOT NULL
);

CREATE TABLE customer_calls (
    customer_hash UBIGINT NOT NULL,
    customer_id   VARCHAR NOT NULL,
    offered_at    TIMESTAMPTZ NOT NULL,
    call_hash     UBIGINT NOT NULL,
    queue_id      INTEGER NOT NULL,
    answered      BOOLEAN NOT NULL,
    batch_id      INTEGER NOT NULL
);

-- The legs of batch `batch` (every leg when NULL) with a usable customer id, as customer_calls holds them.
CREATE MACRO customer_calls_of(batch) AS TABLE
SELECT hash(customer_id) AS customer_hash, customer_id, offered_at, hash(coalesce(journey_id, call_id)) AS call_hash,
       queue_id, outcome = 'answered' AS answered, batch_id
FROM call_legs
WHERE (batch IS NULL OR batch_id = batch) AND usable_customer_id(customer_id)
ORDER BY offered_at;

-- The legs of batch `batch` (every leg when NULL) counted per queue, local day in `tz`, outcome and wait.
CREATE MACRO wait_counts(tz, batch) AS TABLE
SELECT queue_id, CAST(offered_at AT TIME ZONE tz AS DATE) AS local_day, outcome, wait_s, count(*) AS legs
FROM call_legs
WHERE batch IS NULL OR batch_id = batch
GROUP BY ALL;

-- Days from `first_at` to `next_at` rounded up (a repeat exactly N days later is within N days),
-- NULL when there is no next call or it is more than 90 days later.
CREATE MACRO repeat_days_between(first_at, next_at) AS (
    CASE WHEN next_at IS NOT NULL
              AND (epoch_us(next_at) - epoch_us(first_at) + 86399999999) // 86400000000 <= 90
         THEN CAST((epoch_us(next_at) - epoch_us(first_at) + 86399999999) // 86400000000 AS INTEGER) END
);

-- Every answered leg with a usable customer id offered from `since` on, of the customers with a leg
-- in batch `batch` (every customer when NULL), leaving out the legs of batch `excluded` (none when
-- NULL): its queue, local day, batch and repeat_days. (A leg more than 90 days before the batch's
-- first keeps its repeat_days, so an import passes that day as `since`.) The next call is found
-- without pairing legs: per customer and instant the call there (or several); consecutive instants
-- of one call form a run; a leg's next call is the next instant unless that is its own call alone,
-- then the first instant after that run.
CREATE MACRO answered_repeats(tz, batch, excluded, since) AS TABLE
WITH customers AS (
    SELECT DISTINCT customer_hash FROM customer_calls WHERE batch_id = batch
),
legs AS (
    SELECT c.customer_id, c.offered_at, c.call_hash, c.queue_id, c.answered, c.batch_id
    FROM customer_calls c
    JOIN customers k ON k.customer_hash = c.customer_hash
    WHERE c.offered_at >= since AND (excluded IS NULL OR c.batch_id <> excluded)
    UNION ALL
    SELECT customer_id, offered_at, call_hash, queue_id, answered, batch_id
    FROM customer_calls
    WHERE batch IS NULL AND offered_at >= since AND excluded IS NULL
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
)
SELECT l.queue_id, CAST(l.offered_at AT TIME ZONE tz AS DATE) AS local_day, l.batch_id,
       repeat_days_between(l.offered_at, CASE WHEN f.next_several OR f.next_call <> l.call_hash THEN f.next_at
                                              ELSE f.next_after_run END) AS repeat_days
FROM legs l
JOIN following f ON f.customer_id = l.customer_id AND f.offered_at = l.offered_at
WHERE l.answered;

-- What batch `batch` changes in repeat_gaps (all of it when NULL, on empty tables; `since` as above): its answered
-- legs, and for the earlier answered legs of its customers their new repeat_days counted in and
-- their old ones (without the batch) counted out; answered legs without a usable id are left_out.
CREATE MACRO repeat_gap_changes(tz, batch, since) AS TABLE
SELECT queue_id, local_day, TRUE AS usable, repeat_days, count(*) AS legs
FROM answered_repeats(tz, batch, NULL, since)
GROUP BY ALL
UNION ALL
SELECT queue_id, local_day, TRUE, repeat_days, -count(*)
FROM answered_repeats(tz, batch, batch, since)
WHERE batch IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT queue_id, CAST(offered_at AT TIME ZONE tz AS DATE), FALSE, CAST(NULL AS INTEGER), count(*)
FROM call_legs
WHERE outcome = 'answered' AND (batch IS NULL OR batch_id = batch) AND NOT usable_customer_id(customer_id)
GROUP BY ALL;

-- The calls with a leg in batch `batch` (every call when NULL), from their legs offered in
-- [since, until) leaving out those of batch `excluded` (none when NULL), counted per local day of
-- their first leg, path and whether anyone answered.
CREATE MACRO call_path_counts(tz, batch, excluded, since, until) AS TABLE
WITH keys AS (
    SELECT DISTINCT coalesce(journey_id, call_id) AS call_key FROM call_legs WHERE batch_id = batch
),
legs AS (
    SELECT coalesce(l.journey_id, l.call_id) AS call_key, l.queue_id, l.offered_at, l.outcome
    FROM call_legs l
    WHERE l.offered_at >= since AND l.offered_at < until AND (excluded IS NULL OR l.batch_id <> excluded)
      AND (batch IS NULL OR coalesce(l.journey_id, l.call_id) IN (SELECT call_key FROM keys))
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
SELECT CAST(first_at AT TIME ZONE tz AS DATE) AS local_day, path, answered, count(*) AS calls
FROM calls
GROUP BY ALL;

-- What batch `batch` changes in call_paths (all of it when NULL, on an empty table): its calls
-- counted in with their legs of [since, until), and counted out as they were without the batch.
CREATE MACRO call_path_changes(tz, batch, since, until) AS TABLE
SELECT * FROM call_path_counts(tz, batch, NULL, since, until)
UNION ALL
SELECT * REPLACE (-calls AS calls) FROM call_path_counts(tz, batch, batch, since, until)
WHERE batch IS NOT NULL;

INSERT INTO detail_zone
SELECT coalesce((SELECT value FROM settings WHERE name = 'reporting_tz'), 'Europe/Stockholm');

INSERT INTO wait_histogram
SELECT * FROM wait_counts((SELECT tz FROM detail_zone), NULL);

INSERT INTO call_paths
SELECT * FROM call_path_counts((SELECT tz FROM detail_zone), NULL, NULL, TIMESTAMPTZ '-infinity', TIMESTAMPTZ 'infinity');

INSERT INTO customer_calls
SELECT * FROM customer_calls_of(NULL);

INSERT INTO repeat_gaps
SELECT queue_id, local_day, usable, repeat_days, sum(legs)
FROM repeat_gap_changes((SELECT tz FROM detail_zone), NULL, TIMESTAMPTZ '-infinity')
GROUP BY ALL;
