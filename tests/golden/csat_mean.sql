-- The SQL that computes csat_mean for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the CSAT answers, those scoring 4-5, the sum of CSAT scores and of
-- their squares, and the NPS
-- answers, promoters (9-10) and detractors (0-6).
SELECT q.partner_id, CAST(NULL AS DATE) AS week_start,
       count(*) FILTER (WHERE s.scale = 'csat') AS csat_answers,
       count(*) FILTER (WHERE s.scale = 'csat' AND s.score >= 4) AS csat_top2,
       coalesce(sum(s.score) FILTER (WHERE s.scale = 'csat'), 0) AS csat_sum,
       coalesce(sum(s.score * s.score) FILTER (WHERE s.scale = 'csat'), 0) AS csat_squares,
       count(*) FILTER (WHERE s.scale = 'nps') AS nps_answers,
       count(*) FILTER (WHERE s.scale = 'nps' AND s.score >= 9) AS promoters,
       count(*) FILTER (WHERE s.scale = 'nps' AND s.score <= 6) AS detractors
FROM survey_answers s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.answered_at >= $start AND s.answered_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- Returns per partner (and week_start, see {week_of}) the CSAT answers, those scoring 4-5, the sum of CSAT scores and of
-- their squares, and the NPS
-- answers, promoters (9-10) and detractors (0-6).
SELECT q.partner_id, CAST(date_trunc('week', s.answered_at AT TIME ZONE $tz) AS DATE) AS week_start,
       count(*) FILTER (WHERE s.scale = 'csat') AS csat_answers,
       count(*) FILTER (WHERE s.scale = 'csat' AND s.score >= 4) AS csat_top2,
       coalesce(sum(s.score) FILTER (WHERE s.scale = 'csat'), 0) AS csat_sum,
       coalesce(sum(s.score * s.score) FILTER (WHERE s.scale = 'csat'), 0) AS csat_squares,
       count(*) FILTER (WHERE s.scale = 'nps') AS nps_answers,
       count(*) FILTER (WHERE s.scale = 'nps' AND s.score >= 9) AS promoters,
       count(*) FILTER (WHERE s.scale = 'nps' AND s.score <= 6) AS detractors
FROM survey_answers s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.answered_at >= $start AND s.answered_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;
