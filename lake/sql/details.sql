-- The detail aggregates the lake computes from the legs, beside the interval rollups: what the
-- scorecard otherwise reads from the raw legs (p90 wait, FCR), kept so that their size grows with
-- queues and intervals, not with legs, and every figure stays exact. Written in DuckDB's dialect,
-- run by DuckDB and (transpiled, lake/portable.py) by Spark. Intervals are the rollups' 15-minute
-- UTC buckets (data/sql/rollups.sql).

-- name: wait_histogram
-- Returns per queue, 15-minute interval and wait (whole seconds) the answered legs that waited that
-- long: the discrete 90th percentile of any run of intervals is read from it exactly (docs/metrics.md).
SELECT queue_id, interval_start, wait_s, count(*) AS answered
FROM (SELECT l.queue_id, to_timestamp(floor(extract(epoch FROM l.offered_at) / 900) * 900) AS interval_start, l.wait_s
      FROM call_legs l
      WHERE l.outcome = 'answered') AS a
GROUP BY queue_id, interval_start, wait_s

-- name: fcr_gaps
-- Returns per queue, 15-minute interval, whether the customer id is usable (usable_customer_id,
-- data/migrations/0006_outcomes.sql) and repeat_days the answered legs: repeat_days is the customer's
-- next call (another call or journey id, any queue, strictly later) counted in whole days rounded up
-- (a gap of exactly 2 days is 2, a microsecond more is 3), NULL when none came. A leg is resolved
-- for an FCR window of N days when repeat_days is NULL or above N, so one table serves every N.
WITH answered AS (
    SELECT l.queue_id, to_timestamp(floor(extract(epoch FROM l.offered_at) / 900) * 900) AS interval_start,
           l.customer_id, l.offered_at, coalesce(l.journey_id, l.call_id) AS call_key,
           usable_customer_id(l.customer_id) AS usable
    FROM call_legs l
    WHERE l.outcome = 'answered'
),
next_calls AS (
    SELECT a.customer_id, a.offered_at, a.call_key, min(r.offered_at) AS next_offered_at
    FROM answered a
    JOIN call_legs r ON r.customer_id = a.customer_id AND r.offered_at > a.offered_at
                    AND coalesce(r.journey_id, r.call_id) <> a.call_key
    WHERE a.usable
    GROUP BY a.customer_id, a.offered_at, a.call_key
)
SELECT a.queue_id, a.interval_start, a.usable,
       CAST(ceil((epoch_us(n.next_offered_at) - epoch_us(a.offered_at)) / 86400000000.0) AS BIGINT) AS repeat_days,
       count(*) AS answered
FROM answered a
LEFT JOIN next_calls n ON n.customer_id = a.customer_id AND n.offered_at = a.offered_at AND n.call_key = a.call_key
GROUP BY a.queue_id, a.interval_start, a.usable, repeat_days
