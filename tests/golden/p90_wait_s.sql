-- The SQL that computes p90_wait_s for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the 90th percentile (discrete) of wait_s over
-- answered legs, and their count.
SELECT q.partner_id, CAST(NULL AS DATE) AS week_start,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY l.wait_s) AS value, count(*) AS sample_size
FROM call_legs l
JOIN queues q ON q.queue_id = l.queue_id
WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;
