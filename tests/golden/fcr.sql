-- The SQL that computes fcr for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the answered legs with a usable customer id in the range
-- (usable_customer_id, data/migrations/0006_outcomes.sql), how many of them had no later call (another
-- call or journey id) from the same customer within $days days, and the answered legs left out for
-- want of a usable id.
WITH answered AS (
    SELECT q.partner_id, CAST(NULL AS DATE) AS week_start, l.customer_id, l.offered_at,
           coalesce(l.journey_id, l.call_id) AS call_key, usable_customer_id(l.customer_id) AS usable
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end  AND q.partner_id IN ($pid_0)
),
firsts AS (
    SELECT * FROM answered WHERE usable
),
repeats AS (
    SELECT DISTINCT f.customer_id, f.offered_at, f.call_key
    FROM firsts f
    JOIN call_legs r ON r.customer_id = f.customer_id
    WHERE coalesce(r.journey_id, r.call_id) <> f.call_key
      AND r.offered_at > f.offered_at AND r.offered_at <= f.offered_at + $days * INTERVAL '1 day'
      AND r.offered_at >= $start AND r.offered_at <= $end + $days * INTERVAL '1 day'
)
SELECT a.partner_id, a.week_start, count(*) FILTER (WHERE a.usable) AS answered,
       count(*) FILTER (WHERE a.usable AND r.customer_id IS NULL) AS resolved,
       count(*) FILTER (WHERE NOT a.usable) AS left_out
FROM answered a
LEFT JOIN repeats r ON r.customer_id = a.customer_id AND r.offered_at = a.offered_at AND r.call_key = a.call_key
GROUP BY a.partner_id, a.week_start;

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- Returns per partner (and week_start, see {week_of}) the answered legs with a usable customer id in the range
-- (usable_customer_id, data/migrations/0006_outcomes.sql), how many of them had no later call (another
-- call or journey id) from the same customer within $days days, and the answered legs left out for
-- want of a usable id.
WITH answered AS (
    SELECT q.partner_id, CAST(date_trunc('week', l.offered_at AT TIME ZONE $tz) AS DATE) AS week_start, l.customer_id, l.offered_at,
           coalesce(l.journey_id, l.call_id) AS call_key, usable_customer_id(l.customer_id) AS usable
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end  AND q.partner_id IN ($pid_0)
),
firsts AS (
    SELECT * FROM answered WHERE usable
),
repeats AS (
    SELECT DISTINCT f.customer_id, f.offered_at, f.call_key
    FROM firsts f
    JOIN call_legs r ON r.customer_id = f.customer_id
    WHERE coalesce(r.journey_id, r.call_id) <> f.call_key
      AND r.offered_at > f.offered_at AND r.offered_at <= f.offered_at + $days * INTERVAL '1 day'
      AND r.offered_at >= $start AND r.offered_at <= $end + $days * INTERVAL '1 day'
)
SELECT a.partner_id, a.week_start, count(*) FILTER (WHERE a.usable) AS answered,
       count(*) FILTER (WHERE a.usable AND r.customer_id IS NULL) AS resolved,
       count(*) FILTER (WHERE NOT a.usable) AS left_out
FROM answered a
LEFT JOIN repeats r ON r.customer_id = a.customer_id AND r.offered_at = a.offered_at AND r.call_key = a.call_key
GROUP BY a.partner_id, a.week_start;
