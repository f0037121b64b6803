-- Schema version 19 (issue 22): each customer leg's next call held, so that an import reads the
-- legs next to its own instead of its customers' 90 days.
--
-- customer_calls.next_at: the instant of the same customer's next call (another call or journey id,
-- offered strictly later), when it is at most 90 days after the leg (the most FCR days); NULL when
-- there is none that near. A leg's repeat_days is repeat_days_between(offered_at, next_at) (0011).
-- The value depends only on (customer, instant, call), and a new leg can only bring a next call
-- nearer, so an import (data/sql/aggregates.sql, `held_legs` .. `hold_next_calls`) finds the legs a
-- batch changes among its customers' held legs whose next call is later than the batch's first leg
-- (or none): the legs just before each new leg, not every leg of 90 days. The 90-day bound keeps
-- the value exact without looking further back: a leg more than 90 days before a new one has no
-- next call within 90 days whether or not the new leg is counted.
--
-- The table is written again (not updated in place) with the column filled from what it holds, each
-- part in the order of offered_at, so that an import's reads skip other days' row groups.
CREATE TABLE customer_calls_next (
    customer_hash UBIGINT NOT NULL,
    customer_id   VARCHAR NOT NULL,
    offered_at    TIMESTAMPTZ NOT NULL,
    call_hash     UBIGINT NOT NULL,
    queue_id      INTEGER NOT NULL,
    answered      BOOLEAN NOT NULL,
    batch_id      INTEGER NOT NULL,
    next_at       TIMESTAMPTZ
);

-- Every leg of customer_calls offered from `since` on, of the customers whose hash is `part` modulo
-- `parts` (every customer when `parts` is NULL), with its next call (next_at as above). The
-- next call is found without pairing legs: per customer and instant the call there (or several);
-- consecutive instants of one call form a run; a leg's next call is the next instant unless that is
-- its own call alone, then the first instant after that run.
CREATE MACRO customer_next_calls(since, part, parts) AS TABLE
WITH legs AS (
    SELECT customer_hash, customer_id, offered_at, call_hash, queue_id, answered, batch_id
    FROM customer_calls
    WHERE offered_at >= since AND (parts IS NULL OR customer_hash % parts = part)
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
    SELECT l.*, CASE WHEN f.next_several OR f.next_call <> l.call_hash THEN f.next_at ELSE f.next_after_run END AS next_call_at
    FROM legs l
    JOIN following f ON f.customer_id = l.customer_id AND f.offered_at = l.offered_at
)
SELECT customer_hash, customer_id, offered_at, call_hash, queue_id, answered, batch_id,
       CASE WHEN repeat_days_between(offered_at, next_call_at) IS NOT NULL THEN next_call_at END AS next_at
FROM nexts;

-- Every answered leg with a usable customer id offered from `since` on: its queue, local day in
-- `tz`, batch and repeat_days (`batch` and `excluded` are no longer used: an import adds its
-- batch's changes from the held next calls; the parameters stay for the callers of 0011).
CREATE OR REPLACE MACRO answered_repeats(tz, batch, excluded, since) AS TABLE
SELECT queue_id, CAST(offered_at AT TIME ZONE tz AS DATE) AS local_day, batch_id,
       repeat_days_between(offered_at, next_at) AS repeat_days
FROM customer_next_calls(since, NULL, NULL)
WHERE answered;

-- The answered legs of batch `batch` (every leg when NULL) without a usable customer id, per queue and
-- local day in `tz`: repeat_gaps' rows with usable FALSE (they have no next call to find).
CREATE MACRO unusable_answered(tz, batch) AS TABLE
SELECT queue_id, CAST(offered_at AT TIME ZONE tz AS DATE) AS local_day, FALSE AS usable,
       CAST(NULL AS INTEGER) AS repeat_days, count(*) AS legs
FROM call_legs
WHERE outcome = 'answered' AND (batch IS NULL OR batch_id = batch) AND NOT usable_customer_id(customer_id)
GROUP BY ALL;

-- repeat_gaps' rows from every leg (`batch` must be NULL: an import's changes come from the held
-- next calls, data/sql/aggregates.sql `repeat_gap_moves`); the lake computes repeat_gaps with it.
CREATE OR REPLACE MACRO repeat_gap_changes(tz, batch, since) AS TABLE
SELECT queue_id, local_day, TRUE AS usable, repeat_days, count(*) AS legs
FROM answered_repeats(tz, batch, NULL, since)
GROUP BY ALL
UNION ALL
SELECT * FROM unusable_answered(tz, batch);

-- Filled a sixteenth of the customers at a time (a customer's legs are all in one part), so that the
-- windows' sorts need a sixteenth of the memory (at 100M legs the whole needs more than 24 GB).
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 0, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 1, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 2, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 3, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 4, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 5, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 6, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 7, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 8, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 9, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 10, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 11, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 12, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 13, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 14, 16) ORDER BY offered_at;
INSERT INTO customer_calls_next SELECT * FROM customer_next_calls(TIMESTAMPTZ '-infinity', 15, 16) ORDER BY offered_at;

DROP TABLE customer_calls;
ALTER TABLE customer_calls_next RENAME TO customer_calls;
