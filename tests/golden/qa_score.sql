-- The SQL that computes qa_score for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the sum of evaluation scores and the number of scored evaluations,
-- calibration evaluations left out.
WITH evaluation_scores AS (-- Returns one row per QA evaluation with its score: sum(points x weight) / sum(max_points x weight)
-- over the items not N/A, 0 when a critical item (not N/A) scored below its maximum, NULL when every
-- item is N/A.
SELECT e.evaluation_id, e.queue_id, e.call_id, e.agent_id, e.evaluator, e.evaluated_at, e.is_calibration,
       e.calibration_session, e.is_agreed, i.items_applicable, i.items_na, i.critical_failed,
       CASE WHEN i.possible IS NULL OR i.possible = 0 THEN NULL
            WHEN i.critical_failed > 0 THEN 0.0
            ELSE i.scored / i.possible END AS score
FROM qa_evaluations e
JOIN (SELECT evaluation_id,
             sum(points * weight) FILTER (WHERE NOT is_na AND points IS NOT NULL) AS scored,
             sum(max_points * weight) FILTER (WHERE NOT is_na AND points IS NOT NULL) AS possible,
             count(*) FILTER (WHERE NOT is_na AND points IS NOT NULL) AS items_applicable,
             count(*) FILTER (WHERE is_na OR points IS NULL) AS items_na,
             count(*) FILTER (WHERE is_critical AND NOT is_na AND points IS NOT NULL AND points < max_points)
                 AS critical_failed
      FROM qa_items GROUP BY evaluation_id) i ON i.evaluation_id = e.evaluation_id)
SELECT q.partner_id, CAST(NULL AS DATE) AS week_start, sum(s.score) AS total_score,
       count(s.score) AS evaluations
FROM evaluation_scores s
JOIN queues q ON q.queue_id = s.queue_id
WHERE NOT s.is_calibration AND s.evaluated_at >= $start AND s.evaluated_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- Returns per partner (and week_start, see {week_of}) the sum of evaluation scores and the number of scored evaluations,
-- calibration evaluations left out.
WITH evaluation_scores AS (-- Returns one row per QA evaluation with its score: sum(points x weight) / sum(max_points x weight)
-- over the items not N/A, 0 when a critical item (not N/A) scored below its maximum, NULL when every
-- item is N/A.
SELECT e.evaluation_id, e.queue_id, e.call_id, e.agent_id, e.evaluator, e.evaluated_at, e.is_calibration,
       e.calibration_session, e.is_agreed, i.items_applicable, i.items_na, i.critical_failed,
       CASE WHEN i.possible IS NULL OR i.possible = 0 THEN NULL
            WHEN i.critical_failed > 0 THEN 0.0
            ELSE i.scored / i.possible END AS score
FROM qa_evaluations e
JOIN (SELECT evaluation_id,
             sum(points * weight) FILTER (WHERE NOT is_na AND points IS NOT NULL) AS scored,
             sum(max_points * weight) FILTER (WHERE NOT is_na AND points IS NOT NULL) AS possible,
             count(*) FILTER (WHERE NOT is_na AND points IS NOT NULL) AS items_applicable,
             count(*) FILTER (WHERE is_na OR points IS NULL) AS items_na,
             count(*) FILTER (WHERE is_critical AND NOT is_na AND points IS NOT NULL AND points < max_points)
                 AS critical_failed
      FROM qa_items GROUP BY evaluation_id) i ON i.evaluation_id = e.evaluation_id)
SELECT q.partner_id, CAST(date_trunc('week', s.evaluated_at AT TIME ZONE $tz) AS DATE) AS week_start, sum(s.score) AS total_score,
       count(s.score) AS evaluations
FROM evaluation_scores s
JOIN queues q ON q.queue_id = s.queue_id
WHERE NOT s.is_calibration AND s.evaluated_at >= $start AND s.evaluated_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;
