-- Metrics that need detail rows (legs, QA items, surveys, staffing, forecasts), per partner.
-- partner_id NULL is the in-house group. $start and $end are UTC instants, [start, end).
-- {scope} is replaced by a generated "AND q.partner_id IN ($pid_0, ...)" (bound values) or nothing;
-- {evaluation_scores} by the statement of that name; {week_of X} by the reporting-zone ISO week
-- (Monday, a DATE) of the instant X when rows are wanted per week, else by a NULL DATE;
-- {period_of X} by the columns period_start and utc_offset of the instant X at the grain wanted
-- (the whole range, a week, or a `cli metrics` grain), cut as the interval rollups are.
-- A sum of DOUBLEs (QA points and scores, staffing minutes, prorated forecasts) names its order
-- (`sum(x ORDER BY key)`): floating-point addition depends on the order, and DuckDB's threads add
-- in a different order on each read, so a plain sum could differ in its last bit between the tile
-- and the export of the same figure. Counts are integers and summed plainly.

-- name: p90_wait
-- Returns per partner (and week_start, see {week_of}) the 90th percentile (discrete) of wait_s over
-- answered legs, and their count.
SELECT q.partner_id, {week_of l.offered_at} AS week_start,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY l.wait_s) AS value, count(*) AS sample_size
FROM call_legs l
JOIN queues q ON q.queue_id = l.queue_id
WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end {scope}
GROUP BY q.partner_id, week_start;

-- name: forecast
-- Returns per partner the forecast legs for the local days [$start_day, $end_day): each weekly
-- forecast prorated by the number of its days inside the range.
SELECT q.partner_id,
       sum(f.legs * (least(f.week_start + 7, $end_day) - greatest(f.week_start, $start_day)) / 7.0 ORDER BY f.week_start)
           AS forecast_legs
FROM forecasts f
JOIN partners q ON q.partner_id = f.partner_id
WHERE f.week_start < $end_day AND f.week_start + 7 > $start_day {scope}
GROUP BY q.partner_id;

-- name: interval_sl
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
    WHERE r.interval_start >= $start AND r.interval_start < $end {scope}
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

-- name: staffing
-- Returns per partner (and week_start, see {week_of}) the contracted and logged-in agent minutes over the range.
SELECT q.partner_id, {week_of s.interval_start} AS week_start, sum(s.contracted_min ORDER BY s.queue_id, s.interval_start) AS contracted_min,
       sum(s.logged_in_min ORDER BY s.queue_id, s.interval_start) AS logged_in_min
FROM staffing s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.interval_start >= $start AND s.interval_start < $end {scope}
GROUP BY q.partner_id, week_start;

-- name: call_volume
-- Returns per partner (in-house: NULL) and period (see {period_of}) the calls routed to it (calls
-- with at least one leg offered to one of its queues, whatever that leg's outcome, turned away
-- included), the calls it answered, and on every row the calls
-- the centre received in the period and the calls anyone answered, each call counted once.
-- A call is its legs' journey_id, else their call_id; it belongs to the period of its first leg's
-- offered_at. Legs are looked for a day either side of [$start, $end), so a call is whole unless
-- its legs span more than a day. Every partner (and in-house) has a row for each period with calls,
-- routed 0 when none came its way; the scope filter comes last, as the shares' totals span every queue.
WITH legs AS (
    SELECT coalesce(l.journey_id, l.call_id) AS call_key, q.partner_id, l.offered_at, l.outcome
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.offered_at >= $start - INTERVAL '1 day' AND l.offered_at < $end + INTERVAL '1 day'
),
calls AS (
    SELECT call_key, min(offered_at) AS first_offered, bool_or(outcome = 'answered') AS answered
    FROM legs
    GROUP BY call_key
    HAVING min(offered_at) >= $start AND min(offered_at) < $end
),
dated AS (
    SELECT call_key, answered, {period_of first_offered}
    FROM calls
),
centre AS (
    SELECT period_start, utc_offset, count(*) AS calls, count(*) FILTER (WHERE answered) AS answered_calls
    FROM dated
    GROUP BY period_start, utc_offset
),
routed AS (
    SELECT d.period_start, d.utc_offset, l.partner_id, count(DISTINCT l.call_key) AS calls_routed,
           count(DISTINCT l.call_key) FILTER (WHERE l.outcome = 'answered') AS calls_answered
    FROM legs l
    JOIN dated d ON d.call_key = l.call_key
    GROUP BY d.period_start, d.utc_offset, l.partner_id
),
q AS (
    SELECT partner_id FROM partners
    UNION ALL
    SELECT CAST(NULL AS INTEGER)
)
SELECT q.partner_id, c.period_start, c.utc_offset, coalesce(r.calls_routed, 0) AS calls_routed,
       coalesce(r.calls_answered, 0) AS calls_answered,
       c.calls, c.answered_calls
FROM centre c
CROSS JOIN q
LEFT JOIN routed r ON r.period_start = c.period_start AND r.utc_offset = c.utc_offset
                  AND r.partner_id IS NOT DISTINCT FROM q.partner_id
WHERE TRUE {scope}
ORDER BY c.period_start, c.utc_offset DESC, q.partner_id;

-- name: journeys
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
SELECT q.partner_id, {period_of q.first_offered}, count(*) AS calls_routed,
       sum(q.in_house_wait_s) AS in_house_wait_s, sum(q.partner_wait_s) AS partner_wait_s,
       sum(q.total_wait_s) AS total_wait_s,
       count(*) FILTER (WHERE q.answered AND q.total_wait_s <= $t) AS answered_within_threshold,
       count(*) FILTER (WHERE q.gave_up AND q.total_wait_s < $s) AS short_abandoned,
       count(*) FILTER (WHERE q.in_house_legs > 0) AS overflowed_calls,
       count(*) FILTER (WHERE q.in_house_legs > 0 AND q.in_house_wait_s < $overflow_after_s) AS overflowed_early,
       count(*) FILTER (WHERE NOT q.inside_hours) AS outside_hours,
       count(*) FILTER (WHERE q.crossings >= 2) AS back_and_forth
FROM ({journey_rows}) q
WHERE q.first_offered >= $start AND q.first_offered < $end {scope}
GROUP BY ALL
ORDER BY q.partner_id, period_start;

-- name: journey_rows
-- Returns what call_journeys holds for the calls whose legs lie in [$start - 1 day, $end + 1 day),
-- from the legs (a call is whole unless its legs span more than a day).
SELECT * FROM call_journeys_of(NULL, $start - INTERVAL '1 day', $end + INTERVAL '1 day')

-- name: journey_rows_held
-- Returns the rows of call_journeys (kept at every import).
SELECT * FROM call_journeys

-- name: staffing_days
-- Returns per partner and local day (in $tz), in that order, the logged-in and contracted agent-minutes of its
-- queues' staffing intervals: the staffing a day's surge needs to excuse a service-level miss.
SELECT q.partner_id, CAST(s.interval_start AT TIME ZONE $tz AS DATE) AS local_day,
       sum(s.logged_in_min ORDER BY s.queue_id, s.interval_start) AS logged_in_min,
       sum(s.contracted_min ORDER BY s.queue_id, s.interval_start) AS contracted_min
FROM staffing s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.interval_start >= $start AND s.interval_start < $end {scope}
GROUP BY q.partner_id, local_day
ORDER BY q.partner_id, local_day;

-- name: staffing_intervals
-- Returns per partner and 15-minute interval the agents logged in (logged-in minutes / 15) and contracted.
SELECT q.partner_id, CAST(s.interval_start AT TIME ZONE 'UTC' AS TIMESTAMP) AS interval_utc,
       sum(s.logged_in_min ORDER BY s.queue_id) / 15.0 AS agents_logged_in,
       sum(s.contracted_min ORDER BY s.queue_id) / 15.0 AS agents_contracted
FROM staffing s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.interval_start >= $start AND s.interval_start < $end {scope}
GROUP BY q.partner_id, s.interval_start
ORDER BY q.partner_id, s.interval_start;

-- name: evaluation_scores
-- Returns one row per QA evaluation with its score: sum(points x weight) / sum(max_points x weight)
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
               e.calibration_session, e.is_agreed)

-- name: qa_scores
-- Returns per partner (and week_start, see {week_of}) the sum of evaluation scores and the number of scored evaluations,
-- calibration evaluations left out; the sums of squares (for the interval), the same sums without the
-- fatal zeros, and the scored evaluations with a critical or fatal item missed.
WITH evaluation_scores AS ({evaluation_scores})
SELECT q.partner_id, {week_of s.evaluated_at} AS week_start, sum(s.score ORDER BY s.evaluation_id) AS total_score,
       count(s.score) AS evaluations, sum(s.score * s.score ORDER BY s.evaluation_id) AS score_squares,
       sum(s.raw_score ORDER BY s.evaluation_id) AS total_raw_score,
       sum(s.raw_score * s.raw_score ORDER BY s.evaluation_id) AS raw_score_squares,
       count(s.score) FILTER (WHERE s.critical_failed > 0) AS critical_errors
FROM evaluation_scores s
JOIN queues q ON q.queue_id = s.queue_id
WHERE NOT s.is_calibration AND s.evaluated_at >= $start AND s.evaluated_at < $end {scope}
GROUP BY q.partner_id, week_start;

-- name: qa_evaluations
-- Returns one row per evaluation (calibration ones included and flagged) with its score and item counts.
WITH evaluation_scores AS ({evaluation_scores})
SELECT q.partner_id, s.evaluation_id, CAST(s.evaluated_at AT TIME ZONE $tz AS TIMESTAMP) AS evaluated_local,
       q.name AS queue, s.agent_id, s.evaluator, s.call_id, s.is_calibration, s.calibration_session,
       s.items_applicable, s.items_na, s.critical_failed, s.fatal_failed, s.score, s.raw_score
FROM evaluation_scores s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.evaluated_at >= $start AND s.evaluated_at < $end {scope}
ORDER BY s.evaluated_at, s.evaluation_id;

-- name: qa_sections
-- Returns per partner and form section the weighted points and maximum over items not N/A, and the
-- evaluations that scored the section (calibration left out; fatal fails do not zero a section), in the
-- form's order (the first line of the section in its file; sections imported before that by name).
SELECT q.partner_id, i.section, sum(i.points * i.weight ORDER BY i.evaluation_id, i.item) AS scored,
       sum(i.max_points * i.weight ORDER BY i.evaluation_id, i.item) AS possible,
       count(DISTINCT e.evaluation_id) AS evaluations
FROM qa_items i
JOIN qa_evaluations e ON e.evaluation_id = i.evaluation_id
JOIN queues q ON q.queue_id = e.queue_id
WHERE NOT e.is_calibration AND NOT i.is_na AND i.points IS NOT NULL
  AND e.evaluated_at >= $start AND e.evaluated_at < $end {scope}
GROUP BY q.partner_id, i.section
ORDER BY q.partner_id, min(i.position) NULLS LAST, i.section;

-- name: calibration
-- Returns per partner and evaluator the summed distance of their calibration scores from each
-- session's reference (the agreed score, else the median of the evaluators' scores) and how many.
WITH evaluation_scores AS ({evaluation_scores}),
sessions AS (
    SELECT q.partner_id, s.*
    FROM evaluation_scores s
    JOIN queues q ON q.queue_id = s.queue_id
    WHERE s.is_calibration AND s.calibration_session IS NOT NULL AND s.score IS NOT NULL
      AND s.evaluated_at >= $start AND s.evaluated_at < $end {scope}
),
agreed AS (
    SELECT calibration_session, max(score) AS reference FROM sessions WHERE is_agreed GROUP BY calibration_session
),
medians AS (
    SELECT calibration_session, percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS reference
    FROM sessions WHERE NOT is_agreed GROUP BY calibration_session
)
SELECT s.partner_id, s.evaluator, sum(abs(s.score - coalesce(a.reference, m.reference)) ORDER BY s.evaluation_id) AS total_distance,
       count(*) AS evaluations
FROM sessions s
JOIN medians m ON m.calibration_session = s.calibration_session
LEFT JOIN agreed a ON a.calibration_session = s.calibration_session
WHERE NOT s.is_agreed
GROUP BY s.partner_id, s.evaluator
ORDER BY s.partner_id, s.evaluator;

-- name: fcr
-- Returns per partner (and week_start, see {week_of}) the answered legs with a usable customer id in the range
-- (usable_customer_id, data/migrations/0006_outcomes.sql), how many of them had no later call (another
-- call or journey id) from the same customer within $days days, and the answered legs left out for
-- want of a usable id.
WITH answered AS (
    SELECT q.partner_id, {week_of l.offered_at} AS week_start, l.customer_id, l.offered_at,
           coalesce(l.journey_id, l.call_id) AS call_key, usable_customer_id(l.customer_id) AS usable
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end {scope}
),
firsts AS (
    SELECT * FROM answered WHERE usable
),
repeats AS (
    SELECT DISTINCT f.customer_id, f.offered_at, f.call_key
    FROM firsts f
    JOIN call_legs r ON r.customer_id = f.customer_id
    WHERE coalesce(r.journey_id, r.call_id) <> f.call_key
      AND r.offered_at > f.offered_at AND r.offered_at <= f.offered_at + $days * INTERVAL '1 day'
      AND r.offered_at >= $start AND r.offered_at <= $end + $days * INTERVAL '1 day'
)
SELECT a.partner_id, a.week_start, count(*) FILTER (WHERE a.usable) AS answered,
       count(*) FILTER (WHERE a.usable AND r.customer_id IS NULL) AS resolved,
       count(*) FILTER (WHERE NOT a.usable) AS left_out
FROM answered a
LEFT JOIN repeats r ON r.customer_id = a.customer_id AND r.offered_at = a.offered_at AND r.call_key = a.call_key
GROUP BY a.partner_id, a.week_start;

-- name: surveys
-- Returns per partner (and week_start, see {week_of}) the CSAT answers, those scoring 4-5, the sum of CSAT scores and of
-- their squares, and the NPS
-- answers, promoters (9-10) and detractors (0-6).
SELECT q.partner_id, {week_of s.answered_at} AS week_start,
       count(*) FILTER (WHERE s.scale = 'csat') AS csat_answers,
       count(*) FILTER (WHERE s.scale = 'csat' AND s.score >= 4) AS csat_top2,
       coalesce(sum(s.score) FILTER (WHERE s.scale = 'csat'), 0) AS csat_sum,
       coalesce(sum(s.score * s.score) FILTER (WHERE s.scale = 'csat'), 0) AS csat_squares,
       count(*) FILTER (WHERE s.scale = 'nps') AS nps_answers,
       count(*) FILTER (WHERE s.scale = 'nps' AND s.score >= 9) AS promoters,
       count(*) FILTER (WHERE s.scale = 'nps' AND s.score <= 6) AS detractors
FROM survey_answers s
JOIN queues q ON q.queue_id = s.queue_id
WHERE s.answered_at >= $start AND s.answered_at < $end {scope}
GROUP BY q.partner_id, week_start;

-- name: in_house_service_counts
-- Returns the in-house queues' service-level counts over [$start, $end), every leg judged with one
-- threshold $t and short-abandon limit $s (a partner's, for the benchmark beside its figures), with
-- the column names of interval_rollups so one definition evaluates both. In-house queues have no
-- opening hours: every leg turned away there is inside them.
SELECT count(*) AS offered,
       count(*) FILTER (WHERE l.outcome = 'answered') AS answered,
       count(*) FILTER (WHERE l.outcome = 'abandoned') AS abandoned,
       count(*) FILTER (WHERE l.outcome = 'overflowed') AS overflowed,
       count(*) FILTER (WHERE l.outcome = 'answered' AND l.wait_s <= $t) AS answered_within_threshold,
       count(*) FILTER (WHERE l.outcome = 'abandoned' AND l.wait_s <= $t) AS abandoned_within_threshold,
       count(*) FILTER (WHERE l.outcome = 'abandoned' AND l.wait_s < $s) AS short_abandoned,
       count(*) FILTER (WHERE l.outcome = 'turned_away') AS turned_away,
       count(*) FILTER (WHERE l.outcome = 'turned_away') AS turned_away_inside_hours
FROM call_legs l
JOIN queues q ON q.queue_id = l.queue_id
WHERE q.partner_id IS NULL AND l.offered_at >= $start AND l.offered_at < $end;

-- The statements below give what p90_wait, fcr and in_house_service_counts give, from the detail
-- aggregates (data/migrations/0012_detail_aggregates.sql) instead of the legs: measures.detail_rows
-- reads them when the aggregates are cut in the zone asked for (so whole local days) and, for FCR,
-- when N is at most the 90 days they hold. {week_of_day X} is the ISO week (Monday) of the local
-- day X when rows are wanted per week, else a NULL DATE.

-- name: p90_wait_histogram
-- Returns per partner (and week_start, see {week_of_day}) the 90th percentile (discrete) of wait_s
-- over answered legs, and their count: the least wait that at least 90 % of them did not exceed,
-- what percentile_disc(0.9) gives.
WITH waits AS (
    SELECT q.partner_id, {week_of_day h.local_day} AS week_start, h.wait_s, sum(h.legs) AS legs
    FROM wait_histogram h
    JOIN queues q ON q.queue_id = h.queue_id
    WHERE h.outcome = 'answered' AND h.local_day >= $start_day AND h.local_day < $end_day {scope}
    GROUP BY q.partner_id, week_start, h.wait_s
),
running AS (
    SELECT partner_id, week_start, wait_s,
           sum(legs) OVER (PARTITION BY partner_id, week_start ORDER BY wait_s) AS at_most,
           sum(legs) OVER (PARTITION BY partner_id, week_start) AS answered
    FROM waits
)
SELECT partner_id, week_start, min(wait_s) FILTER (WHERE 10 * at_most >= 9 * answered) AS value,
       CAST(max(answered) AS BIGINT) AS sample_size
FROM running
GROUP BY partner_id, week_start;

-- name: fcr_gaps
-- Returns per partner (and week_start) the answered legs with a usable customer id, how many of
-- them had no later call from the same customer within $days days, and the answered legs left out.
SELECT q.partner_id, {week_of_day g.local_day} AS week_start,
       CAST(coalesce(sum(g.legs) FILTER (WHERE g.usable), 0) AS BIGINT) AS answered,
       CAST(coalesce(sum(g.legs) FILTER (WHERE g.usable AND (g.repeat_days IS NULL OR g.repeat_days > $days)), 0)
            AS BIGINT) AS resolved,
       CAST(coalesce(sum(g.legs) FILTER (WHERE NOT g.usable), 0) AS BIGINT) AS left_out
FROM repeat_gaps g
JOIN queues q ON q.queue_id = g.queue_id
WHERE g.local_day >= $start_day AND g.local_day < $end_day {scope}
GROUP BY q.partner_id, week_start;

-- name: in_house_service_histogram
-- Returns what in_house_service_counts returns (in-house legs judged with $t and $s), from the
-- wait histogram.
SELECT CAST(coalesce(sum(h.legs), 0) AS BIGINT) AS offered,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'answered'), 0) AS BIGINT) AS answered,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'abandoned'), 0) AS BIGINT) AS abandoned,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'overflowed'), 0) AS BIGINT) AS overflowed,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'answered' AND h.wait_s <= $t), 0) AS BIGINT)
           AS answered_within_threshold,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'abandoned' AND h.wait_s <= $t), 0) AS BIGINT)
           AS abandoned_within_threshold,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'abandoned' AND h.wait_s < $s), 0) AS BIGINT)
           AS short_abandoned,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'turned_away'), 0) AS BIGINT) AS turned_away,
       CAST(coalesce(sum(h.legs) FILTER (WHERE h.outcome = 'turned_away'), 0) AS BIGINT) AS turned_away_inside_hours
FROM wait_histogram h
JOIN queues q ON q.queue_id = h.queue_id
WHERE q.partner_id IS NULL AND h.local_day >= $start_day AND h.local_day < $end_day;

-- name: call_volume_paths
-- Returns what call_volume returns, from call_paths: per partner (in-house: NULL) and period the
-- calls routed to it, answered by it and its turned-away legs of them, and the centre's calls and
-- answered calls. {period_of_day X} is the period_start and utc_offset of the local day X at the
-- grain wanted (a day or coarser).
WITH dated AS (
    SELECT row_number() OVER () AS path_row, {period_of_day local_day}, path, answered, calls
    FROM call_paths
    WHERE local_day >= CAST($start AT TIME ZONE $tz AS DATE) AND local_day < CAST($end AT TIME ZONE $tz AS DATE)
),
centre AS (
    SELECT period_start, utc_offset, sum(calls) AS calls, coalesce(sum(calls) FILTER (WHERE answered), 0) AS answered_calls
    FROM dated
    GROUP BY period_start, utc_offset
),
visits AS (
    SELECT path_row, period_start, utc_offset, calls, unnest(path) AS visit
    FROM dated
),
per_partner AS (
    SELECT v.path_row, v.period_start, v.utc_offset, v.calls, q.partner_id,
           bool_or(v.visit.answered) AS answered, sum(v.visit.turned_away) AS turned_away
    FROM visits v
    JOIN queues q ON q.queue_id = v.visit.queue_id
    GROUP BY v.path_row, v.period_start, v.utc_offset, v.calls, q.partner_id
),
routed AS (
    SELECT period_start, utc_offset, partner_id, sum(calls) AS calls_routed,
           coalesce(sum(calls) FILTER (WHERE answered), 0) AS calls_answered, sum(calls * turned_away) AS turned_away
    FROM per_partner
    GROUP BY period_start, utc_offset, partner_id
),
q AS (
    SELECT partner_id FROM partners
    UNION ALL
    SELECT CAST(NULL AS INTEGER)
)
SELECT q.partner_id, c.period_start, c.utc_offset, CAST(coalesce(r.calls_routed, 0) AS BIGINT) AS calls_routed,
       CAST(coalesce(r.calls_answered, 0) AS BIGINT) AS calls_answered,
       CAST(coalesce(r.turned_away, 0) AS BIGINT) AS turned_away,
       CAST(c.calls AS BIGINT) AS calls, CAST(c.answered_calls AS BIGINT) AS answered_calls
FROM centre c
CROSS JOIN q
LEFT JOIN routed r ON r.period_start = c.period_start AND r.utc_offset = c.utc_offset
                  AND r.partner_id IS NOT DISTINCT FROM q.partner_id
WHERE TRUE {scope}
ORDER BY c.period_start, c.utc_offset DESC, q.partner_id;

-- name: qa_sampling
-- Returns per partner one row per evaluation in the range (calibration left out): its agent, who
-- scored it (centre, partner or NULL), and the local ISO week start, weekday (1 = Monday) and hour of
-- the evaluated call (its answered leg in the evaluated queue; the evaluation's own time when that
-- call is not held).
WITH evals AS (
    SELECT q.partner_id, e.evaluation_id, e.agent_id, e.scored_by, coalesce(l.offered_at, e.evaluated_at) AS call_at
    FROM qa_evaluations e
    JOIN queues q ON q.queue_id = e.queue_id
    LEFT JOIN call_legs l ON l.queue_id = e.queue_id AND l.call_id = e.call_id AND l.outcome = 'answered'
    WHERE NOT e.is_calibration AND e.evaluated_at >= $start AND e.evaluated_at < $end {scope}
)
SELECT partner_id, evaluation_id, agent_id, scored_by,
       CAST(date_trunc('week', call_at AT TIME ZONE $tz) AS DATE) AS week_start,
       isodow(call_at AT TIME ZONE $tz) AS weekday, hour(call_at AT TIME ZONE $tz) AS hour
FROM evals
ORDER BY partner_id, evaluation_id;

-- name: answered_spread
-- Returns per partner, local ISO week start, weekday (1 = Monday) and hour the answered legs of its
-- queues in the range and their agents (a leg without an agent id has none).
SELECT q.partner_id, CAST(date_trunc('week', l.offered_at AT TIME ZONE $tz) AS DATE) AS week_start,
       isodow(l.offered_at AT TIME ZONE $tz) AS weekday, hour(l.offered_at AT TIME ZONE $tz) AS hour,
       count(*) AS answered, list(DISTINCT l.agent_id) FILTER (WHERE l.agent_id IS NOT NULL) AS agents
FROM call_legs l
JOIN queues q ON q.queue_id = l.queue_id
WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end {scope}
GROUP BY ALL
ORDER BY ALL;
