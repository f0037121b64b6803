-- The SQL that computes interval_sl_attainment for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner (in-house: NULL) and 15-minute interval the summed service-level counts of
-- its queues, the interval's local day and hour in $tz, and its start as wall-clock time in its
-- queues' zone (queue_local), by which metrics.measures judges whether it starts inside the partner's
-- opening hours in force then (partners.hours.Opening: the answer of inside_opening_hours in
-- data/migrations/0004_opening_hours.sql, without DuckDB planning the macro in every statement).
WITH per_interval AS (
    SELECT q.partner_id, r.interval_start,
           sum(r.answered) AS answered, sum(r.abandoned) AS abandoned, sum(r.overflowed) AS overflowed,
           sum(r.short_abandoned) AS short_abandoned, sum(r.answered_within_threshold) AS answered_within_threshold,
           sum(r.abandoned_within_threshold) AS abandoned_within_threshold, sum(r.offered) AS offered,
           sum(r.handle_s) AS handle_s, sum(r.turned_away_inside_hours) AS turned_away_inside_hours,
           min(q.time_zone) AS time_zone
    FROM interval_rollups r
    JOIN queues q ON q.queue_id = r.queue_id
    WHERE r.interval_start >= $start AND r.interval_start < $end  AND q.partner_id IN ($pid_0)
    GROUP BY q.partner_id, r.interval_start
)
SELECT p.partner_id, CAST(p.interval_start AT TIME ZONE 'UTC' AS TIMESTAMP) AS interval_utc,
       CAST(p.interval_start AT TIME ZONE $tz AS TIMESTAMP) AS interval_local,
       CAST(p.interval_start AT TIME ZONE $tz AS DATE) AS local_day,
       p.offered, p.answered, p.abandoned, p.overflowed, p.short_abandoned, p.answered_within_threshold,
       p.abandoned_within_threshold, p.handle_s, p.turned_away_inside_hours,
       CAST(p.interval_start AT TIME ZONE p.time_zone AS TIMESTAMP) AS queue_local
FROM per_interval p
ORDER BY p.partner_id, p.interval_start;
