-- The SQL that computes forecast_accuracy for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner the forecast legs for the local days [$start_day, $end_day): each weekly
-- forecast prorated by the number of its days inside the range.
SELECT q.partner_id,
       sum(f.legs * (least(f.week_start + 7, $end_day) - greatest(f.week_start, $start_day)) / 7.0 ORDER BY f.week_start)
           AS forecast_legs
FROM forecasts f
JOIN partners q ON q.partner_id = f.partner_id
WHERE f.week_start < $end_day AND f.week_start + 7 > $start_day  AND q.partner_id IN ($pid_0)
GROUP BY q.partner_id;
