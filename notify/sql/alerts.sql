-- name: data_span
-- Returns the start of the oldest and the end of the newest 15-minute interval holding any leg (as
-- UTC wall-clock times), NULLs for an empty store: time outside it has not been imported (yet), so
-- "no legs" is never claimed there.
SELECT CAST(min(interval_start) AT TIME ZONE 'UTC' AS TIMESTAMP),
       CAST((max(interval_start) + INTERVAL 15 MINUTE) AT TIME ZONE 'UTC' AS TIMESTAMP)
FROM interval_rollups;

-- name: open_intervals
-- Returns per partner that owns a queue, for every 15-minute interval of [$start, $end) inside
-- [$data_start, $data_end): its local day and time in $tz, the legs offered to the partner's queues (0 when none)
-- and whether it starts inside the partner's opening hours (local to its queues' zone).
WITH partner_zone AS (
    SELECT q.partner_id, min(q.time_zone) AS time_zone
    FROM queues q
    WHERE q.partner_id IS NOT NULL {scope}
    GROUP BY q.partner_id
), grid AS (
    SELECT unnest(generate_series(CAST($start AS TIMESTAMPTZ), CAST($end AS TIMESTAMPTZ) - INTERVAL 15 MINUTE,
                                  INTERVAL 15 MINUTE)) AS interval_start
), offered AS (
    SELECT q.partner_id, r.interval_start, sum(r.offered) AS offered
    FROM interval_rollups r JOIN queues q ON q.queue_id = r.queue_id
    WHERE r.interval_start >= $start AND r.interval_start < $end AND q.partner_id IS NOT NULL
    GROUP BY q.partner_id, r.interval_start
)
SELECT z.partner_id, CAST(g.interval_start AT TIME ZONE $tz AS TIMESTAMP) AS interval_local,
       CAST(g.interval_start AT TIME ZONE $tz AS DATE) AS local_day, coalesce(o.offered, 0) AS offered,
       inside_opening_hours(z.partner_id, CAST(g.interval_start AT TIME ZONE z.time_zone AS TIMESTAMP)) AS inside_hours
FROM partner_zone z
CROSS JOIN grid g
LEFT JOIN offered o ON o.partner_id = z.partner_id AND o.interval_start = g.interval_start
WHERE g.interval_start >= $data_start AND g.interval_start < $data_end
ORDER BY z.partner_id, g.interval_start;

-- name: unsettled_alerts
-- Returns every alert not cleared yet: its id, rule, partner and breach key (the reconciliation's
-- view of what is already raised, read inside the writing transaction).
SELECT alert_id, rule_id, partner_id, breach_key, state FROM alerts WHERE state <> 'cleared';

-- name: alert_rows
-- Returns alerts (newest first) with their rule and partner, in the partner scope {scope}; times as
-- wall-clock times in $tz. {states} limits the states shown.
SELECT a.alert_id, a.state, r.severity, p.name AS partner, r.name AS rule, a.figure, a.shown_value AS value,
       a.shown_threshold AS threshold, a.period, a.link,
       timezone($tz, a.raised_at) AS raised_at, a.raised_by,
       timezone($tz, a.acknowledged_at) AS acknowledged_at, a.acknowledged_by,
       timezone($tz, a.cleared_at) AS cleared_at, a.cleared_by, a.partner_id
FROM alerts a
JOIN alert_rules r ON r.rule_id = a.rule_id
JOIN partners p ON p.partner_id = a.partner_id
WHERE a.state IN ({states}) {scope}
ORDER BY CASE r.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.raised_at DESC, a.alert_id DESC
LIMIT $limit;

-- name: pending_alert_messages
-- Returns each raise and clearing of an alert, with each address subscribed to that partner's alerts
-- since before the event, that the address has not been sent yet, is not being sent by another run
-- (a `sending` row of the last quarter hour) and has failed fewer than $max_runs times: the alert
-- outbox. One row per (alert, kind, address).
WITH events AS (
    SELECT alert_id, 'alert' AS kind, raised_at AS happened_at, partner_id FROM alerts
    UNION ALL
    SELECT alert_id, 'clearing', cleared_at, partner_id FROM alerts WHERE cleared_at IS NOT NULL
)
SELECT DISTINCT e.alert_id, e.kind, s.address
FROM events e
JOIN subscriptions s ON s.what = 'alerts' AND s.created_at <= e.happened_at
                    AND (s.partner_id IS NULL OR s.partner_id = e.partner_id)
WHERE NOT EXISTS (SELECT 1 FROM deliveries d
                  WHERE d.alert_id = e.alert_id AND d.kind = e.kind AND d.address = s.address
                    AND (d.status = 'sent' OR (d.status = 'sending' AND d.sent_at > now() - INTERVAL 15 MINUTE)))
  AND (SELECT count(*) FROM deliveries d
       WHERE d.alert_id = e.alert_id AND d.kind = e.kind AND d.address = s.address AND d.status = 'failed') < $max_runs
ORDER BY e.alert_id, e.kind, s.address;

-- name: subscription_rows
-- Returns every subscription with its partner's name ('' for every partner) and its language (NULL:
-- the installation's), oldest first.
SELECT s.subscription_id, s.address, s.what, s.partner_id, coalesce(p.name, '') AS partner, s.audience, s.format,
       s.language, timezone($tz, s.created_at) AS created_at, s.created_by
FROM subscriptions s LEFT JOIN partners p USING (partner_id)
ORDER BY s.subscription_id;

-- name: delivery_rows
-- Returns the delivery log, newest first, with the partner's name whose data a message carried;
-- times as wall-clock times in $tz.
SELECT d.delivery_id, timezone($tz, d.sent_at) AS sent_at, d.kind, d.channel, d.address, coalesce(p.name, '') AS partner,
       d.subject, d.files, d.status, d.attempts, d.detail, d.alert_id
FROM deliveries d LEFT JOIN partners p USING (partner_id)
ORDER BY d.sent_at DESC, d.delivery_id DESC
LIMIT $limit;
