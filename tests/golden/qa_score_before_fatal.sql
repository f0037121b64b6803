-- The SQL that computes qa_score_before_fatal for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (and week_start, see {week_of}) the sum of evaluation scores and the number of scored evaluations,
-- calibration evaluations left out; the sums of squares (for the interval), the same sums without the
-- fatal zeros, and the scored evaluations with a critical or fatal item missed.
WITH evaluation_scores AS (-- Returns one row per QA evaluation with its score: sum(points x weight) / sum(max_points x weight)
-- over the items not N/A, 0 when a fatal item (is_fatal, or when NULL is_critical; not N/A) scored below its maximum, NULL when every
-- item is N/A; raw_score is the same without the fatal zero, critical_failed counts the critical or
-- fatal items missed (the critical-error rate), fatal_failed the fatal ones.
-- (The items are grouped with their evaluation's columns, so a caller's filter on evaluated_at or
-- queue_id reaches the scan of qa_evaluations and only those evaluations' items are summed.)
SELECT evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, is_calibration,
       calibration_session, is_agreed, items_applicable, items_na, critical_failed, fatal_failed,
       CASE WHEN possible IS NULL OR possible = 0 THEN NULL
            WHEN fatal_failed > 0 THEN 0.0
            ELSE scored / possible END AS score,
       CASE WHEN possible IS NULL OR possible = 0 THEN NULL ELSE scored / possible END AS raw_score
FROM (SELECT e.evaluation_id, e.queue_id, e.call_id, e.agent_id, e.evaluator, e.evaluated_at, e.is_calibration,
             e.calibration_session, e.is_agreed,
             sum(i.points * i.weight ORDER BY i.section, i.item) FILTER (WHERE NOT i.is_na AND i.points IS NOT NULL) AS scored,
             sum(i.max_points * i.weight ORDER BY i.section, i.item) FILTER (WHERE NOT i.is_na AND i.points IS NOT NULL)
                 AS possible,
             count(*) FILTER (WHERE NOT i.is_na AND i.points IS NOT NULL) AS items_applicable,
             count(*) FILTER (WHERE i.is_na OR i.points IS NULL) AS items_na,
             count(*) FILTER (WHERE (i.is_critical OR coalesce(i.is_fatal, i.is_critical)) AND NOT i.is_na
                              AND i.points IS NOT NULL AND i.points < i.max_points) AS critical_failed,
             count(*) FILTER (WHERE coalesce(i.is_fatal, i.is_critical) AND NOT i.is_na AND i.points IS NOT NULL
                              AND i.points < i.max_points) AS fatal_failed
      FROM qa_evaluations e
      JOIN qa_items i ON i.evaluation_id = e.evaluation_id
      GROUP BY e.evaluation_id, e.queue_id, e.call_id, e.agent_id, e.evaluator, e.evaluated_at, e.is_calibration,
               e.calibration_session, e.is_agreed))
SELECT q.partner_id, CAST(NULL AS DATE) AS week_start, sum(s.score ORDER BY s.evaluation_id) AS total_score,
       count(s.score) AS evaluations, sum(s.score * s.score ORDER BY s.evaluation_id) AS score_squares,
       sum(s.raw_score ORDER BY s.evaluation_id) AS total_raw_score,
       sum(s.raw_score * s.raw_score ORDER BY s.evaluation_id) AS raw_score_squares,
       count(s.score) FILTER (WHERE s.critical_failed > 0) AS critical_errors
FROM evaluation_scores s
JOIN queues q ON q.queue_id = s.queue_id
WHERE NOT s.is_calibration AND s.evaluated_at >= $start AND s.evaluated_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- Returns per partner (and week_start, see {week_of}) the sum of evaluation scores and the number of scored evaluations,
-- calibration evaluations left out; the sums of squares (for the interval), the same sums without the
-- fatal zeros, and the scored evaluations with a critical or fatal item missed.
WITH evaluation_scores AS (-- Returns one row per QA evaluation with its score: sum(points x weight) / sum(max_points x weight)
-- over the items not N/A, 0 when a fatal item (is_fatal, or when NULL is_critical; not N/A) scored below its maximum, NULL when every
-- item is N/A; raw_score is the same without the fatal zero, critical_failed counts the critical or
-- fatal items missed (the critical-error rate), fatal_failed the fatal ones.
-- (The items are grouped with their evaluation's columns, so a caller's filter on evaluated_at or
-- queue_id reaches the scan of qa_evaluations and only those evaluations' items are summed.)
SELECT evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, is_calibration,
       calibration_session, is_agreed, items_applicable, items_na, critical_failed, fatal_failed,
       CASE WHEN possible IS NULL OR possible = 0 THEN NULL
            WHEN fatal_failed > 0 THEN 0.0
            ELSE scored / possible END AS score,
       CASE WHEN possible IS NULL OR possible = 0 THEN NULL ELSE scored / possible END AS raw_score
FROM (SELECT e.evaluation_id, e.queue_id, e.call_id, e.agent_id, e.evaluator, e.evaluated_at, e.is_calibration,
             e.calibration_session, e.is_agreed,
             sum(i.points * i.weight ORDER BY i.section, i.item) FILTER (WHERE NOT i.is_na AND i.points IS NOT NULL) AS scored,
             sum(i.max_points * i.weight ORDER BY i.section, i.item) FILTER (WHERE NOT i.is_na AND i.points IS NOT NULL)
                 AS possible,
             count(*) FILTER (WHERE NOT i.is_na AND i.points IS NOT NULL) AS items_applicable,
             count(*) FILTER (WHERE i.is_na OR i.points IS NULL) AS items_na,
             count(*) FILTER (WHERE (i.is_critical OR coalesce(i.is_fatal, i.is_critical)) AND NOT i.is_na
                              AND i.points IS NOT NULL AND i.points < i.max_points) AS critical_failed,
             count(*) FILTER (WHERE coalesce(i.is_fatal, i.is_critical) AND NOT i.is_na AND i.points IS NOT NULL
                              AND i.points < i.max_points) AS fatal_failed
      FROM qa_evaluations e
      JOIN qa_items i ON i.evaluation_id = e.evaluation_id
      GROUP BY e.evaluation_id, e.queue_id, e.call_id, e.agent_id, e.evaluator, e.evaluated_at, e.is_calibration,
               e.calibration_session, e.is_agreed))
SELECT q.partner_id, CAST(date_trunc('week', s.evaluated_at AT TIME ZONE $tz) AS DATE) AS week_start, sum(s.score ORDER BY s.evaluation_id) AS total_score,
       count(s.score) AS evaluations, sum(s.score * s.score ORDER BY s.evaluation_id) AS score_squares,
       sum(s.raw_score ORDER BY s.evaluation_id) AS total_raw_score,
       sum(s.raw_score * s.raw_score ORDER BY s.evaluation_id) AS raw_score_squares,
       count(s.score) FILTER (WHERE s.critical_failed > 0) AS critical_errors
FROM evaluation_scores s
JOIN queues q ON q.queue_id = s.queue_id
WHERE NOT s.is_calibration AND s.evaluated_at >= $start AND s.evaluated_at < $end  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id, week_start;
