-- The SQL that computes fcr for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the answered legs with a customer id in the range, and how many of them had
-- no later call (another call or journey id) from the same customer within $days days.
WITH firsts AS (
    SELECT q.partner_id, CAST(NULL AS DATE) AS week_start, l.customer_id, l.offered_at,
           coalesce(l.journey_id, l.call_id) AS call_key
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.outcome = 'answered' AND l.customer_id IS NOT NULL AND l.customer_id <> ''
      AND l.offered_at >= $start AND l.offered_at < $end  AND q.partner_id IN ($pid_0)
),
repeats AS (
    SELECT DISTINCT f.customer_id, f.offered_at, f.call_key
    FROM firsts f
    JOIN call_legs r ON r.customer_id = f.customer_id
    WHERE coalesce(r.journey_id, r.call_id) <> f.call_key
      AND r.offered_at > f.offered_at AND r.offered_at <= f.offered_at + $days * INTERVAL '1 day'
      AND r.offered_at >= $start AND r.offered_at <= $end + $days * INTERVAL '1 day'
)
SELECT f.partner_id, f.week_start, count(*) AS answered,
       count(*) FILTER (WHERE r.customer_id IS NULL) AS resolved
FROM firsts f
LEFT JOIN repeats r ON r.customer_id = f.customer_id AND r.offered_at = f.offered_at AND r.call_key = f.call_key
GROUP BY f.partner_id, f.week_start;

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- Returns per partner (and week_start, see {week_of}) the answered legs with a customer id in the range, and how many of them had
-- no later call (another call or journey id) from the same customer within $days days.
WITH firsts AS (
    SELECT q.partner_id, CAST(date_trunc('week', l.offered_at AT TIME ZONE $tz) AS DATE) AS week_start, l.customer_id, l.offered_at,
           coalesce(l.journey_id, l.call_id) AS call_key
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.outcome = 'answered' AND l.customer_id IS NOT NULL AND l.customer_id <> ''
      AND l.offered_at >= $start AND l.offered_at < $end  AND q.partner_id IN ($pid_0)
),
repeats AS (
    SELECT DISTINCT f.customer_id, f.offered_at, f.call_key
    FROM firsts f
    JOIN call_legs r ON r.customer_id = f.customer_id
    WHERE coalesce(r.journey_id, r.call_id) <> f.call_key
      AND r.offered_at > f.offered_at AND r.offered_at <= f.offered_at + $days * INTERVAL '1 day'
      AND r.offered_at >= $start AND r.offered_at <= $end + $days * INTERVAL '1 day'
)
SELECT f.partner_id, f.week_start, count(*) AS answered,
       count(*) FILTER (WHERE r.customer_id IS NULL) AS resolved
FROM firsts f
LEFT JOIN repeats r ON r.customer_id = f.customer_id AND r.offered_at = f.offered_at AND r.call_key = f.call_key
GROUP BY f.partner_id, f.week_start;
