-- Named statements of the commercial record (commercial/), read by data.sqlfiles.

-- name: billing_units
-- Returns one row: our own count, over one partner's queues and [$start, $end) (UTC), of each unit
-- a partner bills by: handled_calls (its answered legs), talk_minutes (their talk_s / 60),
-- agent_hours (logged-in agent minutes of its staffing / 60) and agents (distinct agent ids that
-- answered a leg).
WITH answered AS (
    SELECT l.talk_s, l.agent_id
    FROM call_legs l JOIN queues q ON q.queue_id = l.queue_id
    WHERE q.partner_id = $partner_id AND l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end
)
SELECT (SELECT count(*) FROM answered) AS handled_calls,
       (SELECT coalesce(sum(talk_s), 0) / 60.0 FROM answered) AS talk_minutes,
       (SELECT coalesce(sum(s.logged_in_min ORDER BY s.queue_id, s.interval_start), 0) / 60.0
        FROM staffing s JOIN queues q ON q.queue_id = s.queue_id
        WHERE q.partner_id = $partner_id AND s.interval_start >= $start AND s.interval_start < $end) AS agent_hours,
       (SELECT count(DISTINCT agent_id) FROM answered) AS agents;

-- name: invoice_lines
-- Returns the partner's invoice lines for the month starting $month, in invoice and line order.
SELECT invoice, line, unit, quantity, unit_price
FROM invoice_lines
WHERE partner_id = $partner_id AND month = $month
ORDER BY invoice, line;
