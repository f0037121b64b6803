-- The SQL that computes calls_outside_hours for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner and period (see {period_of}) the customer's side of the calls routed to it and
-- the centre's overflow audit of them (docs/metrics.md, "The customer's call"). A call is its legs'
-- journey_id, else their call_id, and belongs to the period of its first leg, as in call_volume. Its
-- legs are put in the order the caller went through them: by offered_at, then by when the leg ended
-- (a leg turned away at 10:10:00 comes before the in-house leg that took the call at 10:10:00).
-- Per partner and call routed to it: the in-house wait before its first leg at the partner (the waits
-- of the in-house legs before it), the waits of its legs at the partner, and whether the call waited
-- in-house at all (an overflowed call, not one routed straight to the partner). Per call: the total
-- wait (every leg's wait up to and including the first answered leg, all of them when none was), and
-- whether the caller gave up (never answered, last leg abandoned). The audit: calls that waited
-- in-house less than $overflow_after_s before reaching the partner; calls whose first leg at the
-- partner came outside its opening hours; calls sent back and forth (unanswered, they crossed between
-- in-house and the partner twice or more).
WITH legs AS (
    SELECT coalesce(l.journey_id, l.call_id) AS call_key, q.partner_id, q.time_zone, l.offered_at, l.outcome,
           l.wait_s,
           row_number() OVER (PARTITION BY coalesce(l.journey_id, l.call_id)
                              ORDER BY l.offered_at, l.offered_at + l.wait_s * INTERVAL '1 second', l.queue_id) AS step
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.offered_at >= $start - INTERVAL '1 day' AND l.offered_at < $end + INTERVAL '1 day'
),
calls AS (
    SELECT call_key, min(offered_at) AS first_offered, min(step) FILTER (WHERE outcome = 'answered') AS answered_step
    FROM legs
    GROUP BY call_key
    HAVING min(offered_at) >= $start AND min(offered_at) < $end
),
stepped AS (
    SELECT l.*, c.first_offered, c.answered_step,
           lag(l.partner_id) OVER w AS partner_before, lag(l.outcome) OVER w AS outcome_before
    FROM legs l
    JOIN calls c ON c.call_key = l.call_key
    WINDOW w AS (PARTITION BY l.call_key ORDER BY l.step)
),
call_totals AS (
    SELECT call_key, any_value(first_offered) AS first_offered, bool_or(outcome = 'answered') AS answered,
           sum(wait_s) FILTER (WHERE answered_step IS NULL OR step <= answered_step) AS total_wait_s,
           arg_max(outcome, step) AS last_outcome
    FROM stepped
    GROUP BY call_key
),
routed AS (
    SELECT call_key, partner_id, min(step) AS first_step, sum(wait_s) AS partner_wait_s,
           arg_min(offered_at, step) AS first_at, arg_min(time_zone, step) AS time_zone
    FROM stepped
    WHERE partner_id IS NOT NULL
    GROUP BY call_key, partner_id
),
paths AS (
    SELECT r.call_key, r.partner_id,
           coalesce(sum(s.wait_s) FILTER (WHERE s.partner_id IS NULL AND s.step < r.first_step), 0) AS in_house_wait_s,
           count(*) FILTER (WHERE s.partner_id IS NULL AND s.step < r.first_step) AS in_house_legs,
           count(*) FILTER (WHERE s.outcome_before <> 'answered'
                              AND ((s.partner_before IS NULL AND s.partner_id = r.partner_id)
                                   OR (s.partner_before = r.partner_id AND s.partner_id IS NULL))) AS crossings
    FROM routed r
    JOIN stepped s ON s.call_key = r.call_key
    GROUP BY r.call_key, r.partner_id
),
q AS (
    SELECT r.*, p.in_house_wait_s, p.in_house_legs, p.crossings, c.first_offered, c.answered, c.total_wait_s,
           NOT c.answered AND c.last_outcome = 'abandoned' AND c.total_wait_s < $s AS short_abandoned
    FROM routed r
    JOIN paths p ON p.call_key = r.call_key AND p.partner_id = r.partner_id
    JOIN call_totals c ON c.call_key = r.call_key
)
SELECT q.partner_id, CAST($start AS TIMESTAMP) AS period_start, INTERVAL '0 seconds' AS utc_offset, count(*) AS calls_routed,
       sum(q.in_house_wait_s) AS in_house_wait_s, sum(q.partner_wait_s) AS partner_wait_s,
       sum(q.total_wait_s) AS total_wait_s,
       count(*) FILTER (WHERE q.answered AND q.total_wait_s <= $t) AS answered_within_threshold,
       count(*) FILTER (WHERE q.short_abandoned) AS short_abandoned,
       count(*) FILTER (WHERE q.in_house_legs > 0) AS overflowed_calls,
       count(*) FILTER (WHERE q.in_house_legs > 0 AND q.in_house_wait_s < $overflow_after_s) AS overflowed_early,
       count(*) FILTER (WHERE NOT inside_opening_hours(q.partner_id, CAST(q.first_at AT TIME ZONE q.time_zone AS TIMESTAMP)))
           AS outside_hours,
       count(*) FILTER (WHERE q.crossings >= 2) AS back_and_forth
FROM q
WHERE TRUE  AND q.partner_id IN ($pid_0)
GROUP BY ALL
ORDER BY q.partner_id, period_start;
