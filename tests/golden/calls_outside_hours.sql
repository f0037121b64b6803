-- The SQL that computes calls_outside_hours for one partner (partner_ids = (1,)), rendered by
-- metrics.measures.metric_sql. Regenerate on purpose: see tests/test_golden_sql.py.

-- name: period
-- As measures.measure runs it for a period.
-- Returns per partner and period (see {period_of}) the customer's side of the calls routed to it and
-- the centre's overflow audit of them (docs/metrics.md, "The customer's call"), from one row per call
-- and partner (call_journeys, data/migrations/0016_scale.sql, or the same macro over
-- the legs). A call is its legs' journey_id, else their call_id, and belongs to the period of its
-- first leg, as in call_volume. Per call routed to the partner: the in-house wait before its first leg
-- at the partner, the waits of its legs at the partner, whether the call waited in-house at all (an
-- overflowed call, not one routed straight to the partner), the total wait (every leg's wait up to and
-- including the first answered leg, all of them when none was), and whether the caller gave up. The
-- audit: calls that waited in-house less than $overflow_after_s before reaching the partner; calls
-- whose first leg at the partner came outside its opening hours (local to that leg's queue); calls
-- sent back and forth (unanswered, they crossed between in-house and the partner twice or more).
SELECT q.partner_id, CAST($start AS TIMESTAMP) AS period_start, INTERVAL '0 seconds' AS utc_offset, count(*) AS calls_routed,
       sum(q.in_house_wait_s) AS in_house_wait_s, sum(q.partner_wait_s) AS partner_wait_s,
       sum(q.total_wait_s) AS total_wait_s,
       count(*) FILTER (WHERE q.answered AND q.total_wait_s <= $t) AS answered_within_threshold,
       count(*) FILTER (WHERE q.gave_up AND q.total_wait_s < $s) AS short_abandoned,
       count(*) FILTER (WHERE q.in_house_legs > 0) AS overflowed_calls,
       count(*) FILTER (WHERE q.in_house_legs > 0 AND q.in_house_wait_s < $overflow_after_s) AS overflowed_early,
       count(*) FILTER (WHERE NOT q.inside_hours) AS outside_hours,
       count(*) FILTER (WHERE q.crossings >= 2) AS back_and_forth
FROM (-- Returns what call_journeys holds for the calls whose legs lie in [$start - 1 day, $end + 1 day),
-- from the legs (a call is whole unless its legs span more than a day).
SELECT * FROM call_journeys_of(NULL, $start - INTERVAL '1 day', $end + INTERVAL '1 day')) q
WHERE q.first_offered >= $start AND q.first_offered < $end  AND q.partner_id IN ($pid_0)
GROUP BY ALL
ORDER BY q.partner_id, period_start;
