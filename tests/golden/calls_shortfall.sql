-- The SQL that computes calls_shortfall for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (in-house: NULL) and period (see {period_of}) the calls routed to it (calls
-- with at least one leg offered to one of its queues, whatever that leg's outcome, turned away
-- included), the calls it answered, and on every row the calls
-- the centre received in the period and the calls anyone answered, each call counted once.
-- A call is its legs' journey_id, else their call_id; it belongs to the period of its first leg's
-- offered_at. Legs are looked for a day either side of [$start, $end), so a call is whole unless
-- its legs span more than a day. Every partner (and in-house) has a row for each period with calls,
-- routed 0 when none came its way; the scope filter comes last, as the shares' totals span every queue.
WITH legs AS (
    SELECT coalesce(l.journey_id, l.call_id) AS call_key, q.partner_id, l.offered_at, l.outcome
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.offered_at >= $start - INTERVAL '1 day' AND l.offered_at < $end + INTERVAL '1 day'
),
calls AS (
    SELECT call_key, min(offered_at) AS first_offered, bool_or(outcome = 'answered') AS answered
    FROM legs
    GROUP BY call_key
    HAVING min(offered_at) >= $start AND min(offered_at) < $end
),
dated AS (
    SELECT call_key, answered, CAST($start AS TIMESTAMP) AS period_start, INTERVAL '0 seconds' AS utc_offset
    FROM calls
),
centre AS (
    SELECT period_start, utc_offset, count(*) AS calls, count(*) FILTER (WHERE answered) AS answered_calls
    FROM dated
    GROUP BY period_start, utc_offset
),
routed AS (
    SELECT d.period_start, d.utc_offset, l.partner_id, count(DISTINCT l.call_key) AS calls_routed,
           count(DISTINCT l.call_key) FILTER (WHERE l.outcome = 'answered') AS calls_answered
    FROM legs l
    JOIN dated d ON d.call_key = l.call_key
    GROUP BY d.period_start, d.utc_offset, l.partner_id
),
q AS (
    SELECT partner_id FROM partners
    UNION ALL
    SELECT CAST(NULL AS INTEGER)
)
SELECT q.partner_id, c.period_start, c.utc_offset, coalesce(r.calls_routed, 0) AS calls_routed,
       coalesce(r.calls_answered, 0) AS calls_answered,
       c.calls, c.answered_calls
FROM centre c
CROSS JOIN q
LEFT JOIN routed r ON r.period_start = c.period_start AND r.utc_offset = c.utc_offset
                  AND r.partner_id IS NOT DISTINCT FROM q.partner_id
WHERE TRUE  AND q.partner_id IN ($pid_0)
ORDER BY c.period_start, c.utc_offset DESC, q.partner_id;
