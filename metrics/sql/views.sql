-- Read models for the pages that are not metrics: imports, rejected rows, freshness, pickers.
-- {scope} is replaced by partners.access.scope_sql: "AND <column> IN ($pid_0, ...)" (bound values)
-- for a user's scope, or nothing for every partner.

-- name: freshness
-- Returns one row per queue in scope: its owner, the legs it holds and the first and last
-- 15-minute interval with legs, in the reporting zone (read from the rollups, not the raw legs).
WITH held AS (
    SELECT queue_id, sum(offered) AS legs, min(interval_start) AS first_at, max(interval_start) AS last_at
    FROM interval_rollups
    GROUP BY queue_id
)
SELECT q.name AS queue, coalesce(p.name, 'in-house') AS owner, coalesce(h.legs, 0) AS legs,
       timezone($tz, h.first_at) AS first_interval, timezone($tz, h.last_at) AS last_interval
FROM queues q
LEFT JOIN partners p USING (partner_id)
LEFT JOIN held h USING (queue_id)
WHERE TRUE {scope}
ORDER BY q.partner_id NULLS FIRST, q.name;

-- name: partners
-- Returns the id and name of every partner in scope, by name.
SELECT partner_id, name
FROM partners
WHERE TRUE {scope}
ORDER BY name;

-- name: leg_days
-- Returns the reporting-zone days of the first and the last interval holding legs (NULLs when none).
SELECT CAST(timezone($tz, min(interval_start)) AS DATE) AS first_day,
       CAST(timezone($tz, max(interval_start)) AS DATE) AS last_day
FROM interval_rollups;

-- name: detail_zone
-- Returns the zone the detail aggregates (wait_histogram, repeat_gaps) cut their local days in.
SELECT max(tz) FROM detail_zone;
-- name: held_days
-- Returns every reporting-zone day holding an interval with legs, oldest first: the periods a user can pick.
SELECT DISTINCT CAST(timezone($tz, interval_start) AS DATE) AS day
FROM interval_rollups
ORDER BY day;

-- name: weekly_forecasts
-- Returns every partner's forecast legs for each ISO week (one read serves every partner and range
-- of a page run; metrics.excusal.weekly_forecasts keeps one partner's weeks of a range).
SELECT partner_id, week_start, legs AS forecast
FROM forecasts
ORDER BY partner_id, week_start;
