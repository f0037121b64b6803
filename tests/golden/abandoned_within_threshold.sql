-- The SQL that computes abandoned_within_threshold for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- One row per period and group: summed rollup counts, and each rollup metric's numerator and denominator.
WITH sums AS (
    SELECT CAST($start AS TIMESTAMP) AS period_start, INTERVAL '0 seconds' AS utc_offset,
           q.partner_id AS group_id, coalesce(p.name, 'in-house') AS group_name, q.partner_id AS partner_id,
           sum(r.offered) AS offered,
           sum(r.answered) AS answered,
           sum(r.abandoned) AS abandoned,
           sum(r.overflowed) AS overflowed,
           sum(r.answered_within_threshold) AS answered_within_threshold,
           sum(r.abandoned_within_threshold) AS abandoned_within_threshold,
           sum(r.short_abandoned) AS short_abandoned,
           sum(r.answered_wait_s) AS answered_wait_s,
           sum(r.abandoned_wait_s) AS abandoned_wait_s,
           sum(r.handle_s) AS handle_s,
           sum(r.talk_s) AS talk_s,
           sum(r.hold_s) AS hold_s,
           sum(r.wrap_s) AS wrap_s,
           sum(r.transferred) AS transferred,
           sum(r.transferred_back) AS transferred_back,
           sum(r.turned_away) AS turned_away,
           sum(r.turned_away_inside_hours) AS turned_away_inside_hours
    FROM interval_rollups r
    JOIN queues q ON q.queue_id = r.queue_id
    LEFT JOIN partners p ON p.partner_id = q.partner_id
    WHERE r.interval_start >= $start AND r.interval_start < $end
    GROUP BY 1, 2, 3, 4, 5
),
measured AS (
    SELECT period_start, utc_offset, group_id, group_name, partner_id, offered, answered, abandoned, overflowed, answered_within_threshold, abandoned_within_threshold, short_abandoned, answered_wait_s, abandoned_wait_s, handle_s, talk_s, hold_s, wrap_s, transferred, transferred_back, turned_away, turned_away_inside_hours,
           abandoned_within_threshold AS abandoned_within_threshold__num
    FROM sums
)
SELECT * FROM measured
WHERE TRUE AND partner_id IN ($pid_0)
ORDER BY period_start, utc_offset DESC, group_name

-- name: week
-- As measures.weekly and the weekly trends run it, per ISO week.
-- One row per period and group: summed rollup counts, and each rollup metric's numerator and denominator.
WITH sums AS (
    SELECT date_trunc('week', (r.interval_start AT TIME ZONE $tz)) AS period_start, INTERVAL '0 seconds' AS utc_offset,
           q.partner_id AS group_id, coalesce(p.name, 'in-house') AS group_name, q.partner_id AS partner_id,
           sum(r.offered) AS offered,
           sum(r.answered) AS answered,
           sum(r.abandoned) AS abandoned,
           sum(r.overflowed) AS overflowed,
           sum(r.answered_within_threshold) AS answered_within_threshold,
           sum(r.abandoned_within_threshold) AS abandoned_within_threshold,
           sum(r.short_abandoned) AS short_abandoned,
           sum(r.answered_wait_s) AS answered_wait_s,
           sum(r.abandoned_wait_s) AS abandoned_wait_s,
           sum(r.handle_s) AS handle_s,
           sum(r.talk_s) AS talk_s,
           sum(r.hold_s) AS hold_s,
           sum(r.wrap_s) AS wrap_s,
           sum(r.transferred) AS transferred,
           sum(r.transferred_back) AS transferred_back,
           sum(r.turned_away) AS turned_away,
           sum(r.turned_away_inside_hours) AS turned_away_inside_hours
    FROM interval_rollups r
    JOIN queues q ON q.queue_id = r.queue_id
    LEFT JOIN partners p ON p.partner_id = q.partner_id
    WHERE r.interval_start >= $start AND r.interval_start < $end
    GROUP BY 1, 2, 3, 4, 5
),
measured AS (
    SELECT period_start, utc_offset, group_id, group_name, partner_id, offered, answered, abandoned, overflowed, answered_within_threshold, abandoned_within_threshold, short_abandoned, answered_wait_s, abandoned_wait_s, handle_s, talk_s, hold_s, wrap_s, transferred, transferred_back, turned_away, turned_away_inside_hours,
           abandoned_within_threshold AS abandoned_within_threshold__num
    FROM sums
)
SELECT * FROM measured
WHERE TRUE AND partner_id IN ($pid_0)
ORDER BY period_start, utc_offset DESC, group_name
