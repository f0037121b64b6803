-- The SQL that computes staffed_vs_contracted for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the contracted and logged-in agent minutes over the range.
SELECT q.partner_id, CAST(NULL AS DATE) AS week_start, sum(s.contracted_min ORDER BY s.queue_id, s.interval_start) AS contracted_min,
       sum(s.logged_in_min ORDER BY s.queue_id, s.interval_start) AS logged_in_min
FROM staffing s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.interval_start >= $start AND s.interval_start < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- Returns per partner (and week_start, see {week_of}) the contracted and logged-in agent minutes over the range.
SELECT q.partner_id, CAST(date_trunc('week', s.interval_start AT TIME ZONE $tz) AS DATE) AS week_start, sum(s.contracted_min ORDER BY s.queue_id, s.interval_start) AS contracted_min,
       sum(s.logged_in_min ORDER BY s.queue_id, s.interval_start) AS logged_in_min
FROM staffing s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.interval_start >= $start AND s.interval_start < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;
