"""The SQL that generates the demo data (see demo/builder.py for the story it tells and why).

Every random draw is `demo_u(key, salt)`: a hash of the key, a salt naming the draw and the seed,
mapped to [0, 1). Unlike random()/setseed() it gives the same value whatever the thread that
evaluates it, so a seed always gives the same rows. Values come in as bound parameters or as
session variables set from bound parameters; identifiers and constants are written here.
"""
from __future__ import annotations

# Sets up the one source of pseudo-randomness. Needs the variable demo_seed.
RANDOM_MACRO = """
CREATE OR REPLACE TEMP MACRO demo_u(k, salt) AS
    hash(k, salt, getvariable('demo_seed')) / 18446744073709551616.0
"""

# One row per 15-minute UTC interval of the period while the centre takes calls, with the clock of
# the reporting zone, the arrival weight (weekday x hour x season x trend x surge weeks x noise, in
# whole millionths so that its running sums are exact whatever the threads) and the share of calls
# that overflow to a partner when one is open.
INTERVALS = """
CREATE TEMP TABLE demo_intervals AS
WITH clock AS (
    SELECT range AS interval_utc, timezone($tz, range) AS local_ts
    FROM range($start_utc::TIMESTAMPTZ, $end_utc::TIMESTAMPTZ, INTERVAL 15 MINUTE)
), shaped AS (
    SELECT interval_utc, local_ts,
           isodow(local_ts) AS dow,
           hour(local_ts) AS hh,
           date_trunc('week', local_ts)::DATE AS week_start,
           CASE WHEN isodow(local_ts) <= 5
                THEN [0, 0, 0, 0, 0, 0, 0, 0.38, 0.82, 1.0, 1.0, 0.92, 0.66, 0.78, 0.9, 0.86, 0.72,
                      0.52, 0.4, 0.31, 0.23, 0.16, 0, 0][hour(local_ts) + 1]
                ELSE [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.7, 0.95, 1.0, 0.8, 0.85, 0.8, 0.7, 0.55,
                      0.4, 0, 0, 0, 0, 0, 0][hour(local_ts) + 1]
           END AS hour_w,
           [1.32, 1.1, 1.0, 0.97, 0.88, 0.3, 0.22][isodow(local_ts)] AS day_w,
           1 + 0.1 * cos(2 * pi() * (dayofyear(local_ts) - 20) / 365.25)
             - CASE WHEN month(local_ts) = 7 THEN 0.18 WHEN month(local_ts) = 12 AND day(local_ts) > 22
                    THEN 0.3 ELSE 0 END AS season_w,
           1 + 0.06 * epoch(interval_utc - $start_utc::TIMESTAMPTZ) / (365.25 * 86400) AS trend_w
    FROM clock
), weeks AS (
    SELECT DISTINCT week_start,
           CASE WHEN demo_u(week_start, 'surge') < 0.07 THEN 1.3 + 0.3 * demo_u(week_start, 'surge size')
                ELSE 1.0 END AS surge
    FROM shaped
)
SELECT row_number() OVER (ORDER BY interval_utc) AS ix, s.*, w.surge,
       round(1e6 * s.hour_w * s.day_w * s.season_w * s.trend_w * w.surge
             * (0.85 + 0.3 * demo_u(epoch(s.interval_utc), 'noise')))::BIGINT AS weight,
       least(0.75, 0.13 + 0.26 * s.hour_w * s.day_w + CASE WHEN s.hh >= 17 THEN 0.12 ELSE 0 END
                   + CASE WHEN s.dow >= 6 THEN 0.08 ELSE 0 END + 0.5 * (w.surge - 1)) AS p_overflow
FROM shaped s JOIN weeks w USING (week_start)
WHERE s.hour_w > 0
"""

# One row per partner per interval while the partner is open: how well it is staffed (logged-in
# against contracted, below 1 means short; 0 on an evening nobody was logged in, when calls routed
# to it are turned away) and the slice of [0, 1) that routes a call to it.
SLOTS = """
CREATE TEMP TABLE demo_slots AS
WITH open_slots AS (
    SELECT iv.ix, p.partner_id, p.queue_id, p.route_weight,
           iv.hh >= 17 AND demo_u(p.partner_id * 100000 + iv.local_ts::DATE - DATE '2000-01-01', 'empty evening')
                           < p.empty_evening_p AS nobody_in,
           greatest(0.25, p.staff_base
               - CASE WHEN iv.hh >= 17 THEN p.staff_base - p.staff_evening ELSE 0 END
               - CASE WHEN iv.dow = 1 THEN p.staff_base - p.staff_monday ELSE 0 END
               - CASE WHEN demo_u(p.partner_id * 100000 + iv.local_ts::DATE - DATE '2000-01-01', 'bad day')
                          < p.bad_day_p THEN 0.2 ELSE 0 END
               + p.staff_noise * (2 * demo_u(p.partner_id * 10000000 + iv.ix, 'staff') - 1)) AS staffed_when_in
    FROM demo_intervals iv
    CROSS JOIN demo_parties p
    WHERE p.partner_id IS NOT NULL AND inside_opening_hours(p.partner_id, iv.local_ts)
)
SELECT * EXCLUDE (staffed_when_in), CASE WHEN nobody_in THEN 0 ELSE staffed_when_in END AS staffed,
       coalesce(sum(route_weight) OVER (PARTITION BY ix ORDER BY partner_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
         / sum(route_weight) OVER (PARTITION BY ix) AS route_lo,
       sum(route_weight) OVER (PARTITION BY ix ORDER BY partner_id ROWS UNBOUNDED PRECEDING)
         / sum(route_weight) OVER (PARTITION BY ix) AS route_hi
FROM open_slots
"""

# The intervals calls can arrive in, with their cumulative weight (calls are laid out evenly over
# the total weight in time order and each falls in the interval whose weight covers it), and the
# overflow share set to 0 where no partner is open.
ARRIVALS = """
CREATE TEMP TABLE demo_arrivals AS
SELECT iv.ix, iv.interval_utc, iv.local_ts, iv.dow, iv.hh, iv.week_start, iv.weight,
       CASE WHEN EXISTS (SELECT 1 FROM demo_slots s WHERE s.ix = iv.ix) THEN iv.p_overflow ELSE 0 END
         AS p_overflow,
       sum(iv.weight) OVER (ORDER BY iv.ix ROWS UNBOUNDED PRECEDING) - iv.weight AS cum_lo,
       sum(iv.weight) OVER () AS total_weight
FROM demo_intervals iv
"""

# The expected share of calls that overflow (each adds a partner leg): sizes the call count.
EXPECTED_OVERFLOW = """
SELECT sum(weight * round(1e6 * p_overflow)::BIGINT::HUGEINT) / sum(weight::HUGEINT) / 1e6 FROM demo_arrivals
"""

# One row per call: when it came, where it went and how each leg ended, who answered it, whether
# it was transferred back and whether it stayed unresolved (which makes the customer call again).
CALLS = """
CREATE TEMP TABLE demo_calls AS
WITH placed AS (
    SELECT c.i, a.ix, a.hh, a.dow, a.week_start,
           a.interval_utc + to_seconds(floor(demo_u(c.i, 'second') * 900)::BIGINT) AS offered_at,
           demo_u(c.i, 'overflow') < a.p_overflow AS overflowed
    FROM (SELECT range AS i,
                 ((2 * range + 1)::HUGEINT * (SELECT max(total_weight) FROM demo_arrivals) // (2 * $calls))::BIGINT AS pos
          FROM range($calls)) c
    ASOF JOIN demo_arrivals a ON c.pos >= a.cum_lo
), routed AS (
    SELECT p.*,
           CASE WHEN demo_u(p.i, 'home') < $home_split THEN $home_a ELSE $home_b END AS home_queue_id,
           s.queue_id AS partner_queue_id,
           s.staffed, s.nobody_in
    FROM placed p
    LEFT JOIN demo_slots s
      ON p.overflowed AND s.ix = p.ix
     AND demo_u(p.i, 'route') >= s.route_lo AND demo_u(p.i, 'route') < s.route_hi
), ended AS (
    SELECT r.*,
           greatest(0, 1 - r.staffed) AS short_by,
           CASE WHEN r.partner_queue_id IS NOT NULL THEN 'overflowed'
                WHEN demo_u(r.i, 'in-house abandon') < 0.04 THEN 'abandoned'
                ELSE 'answered' END AS home_outcome,
           CASE WHEN r.partner_queue_id IS NULL THEN NULL
                WHEN r.nobody_in THEN 'turned_away'
                WHEN demo_u(r.i, 'partner abandon') < least(0.6, 0.02 + 0.6 * greatest(0, 1 - r.staffed))
                THEN 'abandoned' ELSE 'answered' END AS partner_outcome
    FROM routed r
), waited AS (
    SELECT e.*,
           CASE e.home_outcome
               WHEN 'overflowed' THEN 15 + floor(31 * demo_u(e.i, 'home wait'))
               WHEN 'abandoned' THEN floor(-ln(1 - demo_u(e.i, 'home wait')) * 35)
               ELSE CASE WHEN demo_u(e.i, 'home fast') < 0.86
                         THEN floor(21 * pow(demo_u(e.i, 'home wait'), 1.6))
                         ELSE 21 + floor(-ln(1 - demo_u(e.i, 'home wait')) * 25) END
           END::INTEGER AS home_wait_s,
           CASE e.partner_outcome
               WHEN 'turned_away' THEN 0
               WHEN 'abandoned' THEN floor(-ln(1 - demo_u(e.i, 'partner wait')) * (30 + 150 * e.short_by))
               WHEN 'answered' THEN
                   CASE WHEN demo_u(e.i, 'partner fast') < greatest(0.05, 0.92 - 1.7 * e.short_by)
                        THEN floor(21 * pow(demo_u(e.i, 'partner wait'), 1.6))
                        ELSE 21 + floor(-ln(1 - demo_u(e.i, 'partner wait')) * (20 + 200 * e.short_by)) END
           END::INTEGER AS partner_wait_s
    FROM ended e
), answered AS (
    SELECT w.*,
           CASE WHEN w.partner_outcome = 'answered' THEN w.partner_queue_id
                WHEN w.home_outcome = 'answered' THEN w.home_queue_id END AS answered_queue_id
    FROM waited w
)
SELECT a.*,
       a.answered_queue_id IS NOT NULL AND demo_u(a.i, 'transfer') < p.transfer_p AS transferred,
       CASE WHEN a.answered_queue_id IS NULL THEN demo_u(a.i, 'unresolved') < 0.5
            ELSE demo_u(a.i, 'unresolved') <
                 CASE WHEN a.offered_at < $midpoint THEN p.unresolved_p ELSE p.unresolved_p_late END
                 + CASE WHEN demo_u(a.i, 'transfer') < p.transfer_p THEN 0.25 ELSE 0 END
       END AS unresolved
FROM answered a
LEFT JOIN demo_parties p ON p.queue_id = a.answered_queue_id
"""

# The calls routed to one partner (by name) in its 20th-percentile ISO week of the demo: the weekly
# floor of calls its agreement sets, so about one week in five (summer, Christmas) falls short.
VOLUME_FLOOR = """
SELECT coalesce(percentile_disc(0.2) WITHIN GROUP (ORDER BY routed), 0)
FROM (SELECT c.week_start, count(*) AS routed
      FROM demo_calls c
      JOIN queues q ON q.queue_id = c.partner_queue_id
      JOIN partners p ON p.partner_id = q.partner_id
      WHERE p.name = $partner
      GROUP BY c.week_start)
"""

# Each call may be a repeat of an earlier one (a few hours to a week before): when that earlier
# call was left unresolved, the same customer is calling again. Otherwise a customer from the
# pool; a few callers withhold their number and have no customer id.
CUSTOMERS = """
CREATE TEMP TABLE demo_customers AS
WITH sourced AS (
    SELECT i, i - greatest(1, floor($calls_per_day * (0.05 + 6.5 * pow(demo_u(i, 'repeat gap'), 1.5))))::BIGINT
             AS source_i
    FROM demo_calls
), own AS (
    SELECT i,
           CASE WHEN demo_u(i, 'anonymous') >= 0.04
                THEN 'K' || lpad((hash(i, 'customer', getvariable('demo_seed')) % $customers)::VARCHAR, 8, '0')
           END AS customer_id
    FROM demo_calls
)
SELECT s.i, CASE WHEN src.unresolved THEN coalesce(src_own.customer_id, o.customer_id)
                 ELSE o.customer_id END AS customer_id
FROM sourced s
JOIN own o ON o.i = s.i
LEFT JOIN demo_calls src ON src.i = s.source_i
LEFT JOIN own src_own ON src_own.i = s.source_i
"""

# The legs: every call's in-house leg, and a partner leg for every overflowed call (same call_id
# and journey_id, offered when the in-house leg overflowed). Answered legs get an agent and
# talk/hold/wrap times shaped by who answered; transfers after answer name where the call went.
LEGS = """
INSERT INTO call_legs
WITH legs AS (
    SELECT 2 * c.i AS leg_key, c.i, c.home_queue_id AS queue_id, c.offered_at,
           c.home_outcome AS outcome, c.home_wait_s AS wait_s,
           c.home_outcome = 'answered' AND c.transferred AS transferred, c.home_queue_id,
           (hash(2 * c.i, 'agent', getvariable('demo_seed')) % 1000000)::INTEGER AS agent_no
    FROM demo_calls c
    UNION ALL
    SELECT 2 * c.i + 1, c.i, c.partner_queue_id, c.offered_at + to_seconds(c.home_wait_s),
           c.partner_outcome, c.partner_wait_s,
           c.partner_outcome = 'answered' AND c.transferred, c.home_queue_id,
           (hash(2 * c.i + 1, 'agent', getvariable('demo_seed')) % 1000000)::INTEGER
    FROM demo_calls c
    WHERE c.partner_queue_id IS NOT NULL
)
SELECT l.queue_id,
       'D' || lpad(l.i::VARCHAR, 9, '0') AS call_id,
       l.offered_at,
       l.outcome,
       l.wait_s,
       CASE WHEN l.outcome = 'answered' THEN greatest(20, floor(p.talk_mean_s * -(ln(1 - demo_u(l.leg_key, 'talk 1'))
                 + ln(1 - demo_u(l.leg_key, 'talk 2'))) / 2))::INTEGER END AS talk_s,
       CASE WHEN l.outcome = 'answered' THEN
                 CASE WHEN demo_u(l.leg_key, 'hold') < p.hold_p
                      THEN 10 + floor(-ln(1 - demo_u(l.leg_key, 'hold time')) * 45) ELSE 0 END::INTEGER
       END AS hold_s,
       CASE WHEN l.outcome = 'answered' THEN (p.wrap_min_s + floor(demo_u(l.leg_key, 'wrap') * p.wrap_spread_s))::INTEGER
       END AS wrap_s,
       CASE WHEN l.outcome <> 'answered' THEN NULL
            WHEN p.partner_id IS NULL
            THEN $first_names[1 + l.agent_no % p.agents % 30]
                 || '.' || $last_names[1 + (l.agent_no % p.agents // 30 + l.agent_no % p.agents) % 30]
            ELSE p.code || '-' || lpad((1 + l.agent_no % p.agents)::VARCHAR, 3, '0')
       END AS agent_id,
       customer_pseudonym(cu.customer_id) AS customer_id,
       'J' || lpad(l.i::VARCHAR, 9, '0') AS journey_id,
       CASE WHEN NOT l.transferred THEN NULL
            WHEN p.partner_id IS NULL THEN other.name
            WHEN demo_u(l.leg_key, 'transfer target') < 0.5 THEN 'in-house'
            ELSE home.name END AS transferred_to,
       CASE l.outcome WHEN 'answered' THEN 'answered' WHEN 'abandoned' THEN 'hung_up'
                      WHEN 'turned_away' THEN 'turned_away_no_agents' ELSE 'timed_out' END AS end_reason,
       $batch_id AS batch_id
FROM legs l
JOIN demo_parties p ON p.queue_id = l.queue_id
JOIN demo_customers cu ON cu.i = l.i
JOIN queues home ON home.queue_id = l.home_queue_id
LEFT JOIN queues other ON other.partner_id IS NULL AND other.queue_id <> l.home_queue_id
ORDER BY l.offered_at, l.queue_id
"""

# A sample of answered legs per queue per ISO week for QA (a few hours' listening a week).
QA_SAMPLE = """
CREATE TEMP TABLE demo_evals AS
WITH answered AS (
    SELECT l.queue_id, l.call_id, l.agent_id, l.offered_at,
           date_trunc('week', timezone($tz, l.offered_at))::DATE AS week_start,
           demo_u(l.call_id, 'qa pick') AS pick
    FROM call_legs l
    WHERE l.batch_id = $batch_id AND l.outcome = 'answered'
), per_week AS (
    SELECT queue_id, week_start, count(*) AS answered FROM answered GROUP BY ALL
), picked AS (
    SELECT a.*, p.qa_per_week,
           row_number() OVER (PARTITION BY a.queue_id, a.week_start ORDER BY a.pick, a.call_id) AS rank_in_week
    FROM answered a
    JOIN per_week w USING (queue_id, week_start)
    JOIN demo_parties p ON p.queue_id = a.queue_id
    WHERE a.pick * w.answered < 4 * p.qa_per_week
)
SELECT 'QA-' || k.call_id AS evaluation_id, k.queue_id, k.call_id, k.agent_id,
       CASE WHEN demo_u(k.call_id, 'own qa') < p.own_qa_share THEN p.partner_qa
            ELSE $evaluators[1 + (hash(k.call_id, 'evaluator', getvariable('demo_seed')) % len($evaluators))::INTEGER]
       END AS evaluator,
       least(k.offered_at + to_days((1 + floor(5 * demo_u(k.call_id, 'qa delay')))::INTEGER),
             $end_utc::TIMESTAMPTZ - INTERVAL 1 MINUTE) AS evaluated_at,
       FALSE AS is_calibration, NULL::VARCHAR AS calibration_session, FALSE AS is_agreed,
       k.pick, 0.0 AS bias, 1.0 AS noise,
       CASE WHEN k.offered_at < $midpoint THEN p.qa_level ELSE p.qa_level_late END
         - CASE WHEN k.offered_at >= $dip_from THEN p.qa_dip ELSE 0 END
         + 0.12 * (demo_u(k.agent_id, 'agent skill') - 0.5) AS level,
       p.critical_fail_p
FROM picked k
JOIN demo_parties p ON p.queue_id = k.queue_id
WHERE k.rank_in_week <= k.qa_per_week
"""

# One calibration session per partner per month: the month's first sampled call of that partner,
# scored by every centre evaluator and the partner's own QA lead, plus the agreed score.
CALIBRATION = """
INSERT INTO demo_evals
WITH sessions AS (
    SELECT e.*, p.code, p.partner_qa,
           row_number() OVER (PARTITION BY e.queue_id, date_trunc('month', e.evaluated_at) ORDER BY e.pick) AS n
    FROM demo_evals e
    JOIN demo_parties p ON p.queue_id = e.queue_id
    WHERE p.partner_id IS NOT NULL
), chosen AS (
    SELECT *, 'CAL-' || code || '-' || strftime(evaluated_at, '%Y-%m') AS session
    FROM sessions WHERE n = 1
), panel AS (
    SELECT c.*, ev.name AS panel_evaluator, ev.bias AS panel_bias, ev.ord
    FROM chosen c
    CROSS JOIN (SELECT unnest($evaluators) AS name, unnest($evaluator_bias) AS bias,
                       generate_subscripts($evaluators, 1) AS ord) ev
    UNION ALL
    SELECT c.*, c.partner_qa, $partner_qa_bias, 90 FROM chosen c
    UNION ALL
    SELECT c.*, 'Agreed score', 0.0, 99 FROM chosen c
)
SELECT session || '-' || ord, queue_id, call_id, agent_id, panel_evaluator,
       least(evaluated_at + INTERVAL 7 DAY, $end_utc::TIMESTAMPTZ - INTERVAL 1 MINUTE),
       TRUE, session, ord = 99, pick, panel_bias, CASE WHEN ord = 99 THEN 0.0 ELSE 0.35 END,
       level, critical_fail_p
FROM panel
"""

EVALUATIONS = """
INSERT INTO qa_evaluations (evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, form,
                            is_calibration, calibration_session, is_agreed, batch_id, scored_by)
SELECT evaluation_id, e.queue_id, call_id, agent_id, evaluator, evaluated_at, 'default',
       is_calibration, calibration_session, is_agreed, $batch_id,
       CASE WHEN is_agreed THEN NULL WHEN evaluator = p.partner_qa THEN 'partner' ELSE 'centre' END
FROM demo_evals e JOIN demo_parties p ON p.queue_id = e.queue_id
ORDER BY evaluated_at, evaluation_id
"""

# The items of every evaluation. N/A and critical fails belong to the call (every evaluator of a
# calibration session sees them alike); points vary with the agent's level, the call, and a little
# with the evaluator (their bias and noise).
ITEMS = """
INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, is_critical, is_fatal, position)
WITH scored AS (
    SELECT e.evaluation_id, f.section, f.item, f.max_points, f.weight, f.is_critical, f.is_fatal, f.position,
           demo_u(e.call_id || f.item, 'na') < f.na_p AS is_na,
           demo_u(e.call_id || f.item, 'critical') < e.critical_fail_p AS critical_failed,
           e.level + e.bias + 0.3 * (demo_u(e.call_id || f.item, 'points') - 0.5)
             + 0.2 * e.noise * (demo_u(e.evaluation_id || f.item, 'evaluator points') - 0.5) AS quality
    FROM demo_evals e CROSS JOIN demo_form f
)
SELECT evaluation_id, section, item,
       CASE WHEN is_na THEN NULL
            WHEN is_critical THEN CASE WHEN critical_failed THEN 0 ELSE max_points END
            ELSE round(max_points * least(1, greatest(0, quality))) END,
       max_points, weight, is_na, is_critical, is_fatal, position
FROM scored
"""

# Survey answers for a sample of answered calls (a CSAT and an NPS answer each), lower after long
# waits, transfers and unresolved calls.
SURVEYS = """
INSERT INTO survey_answers
WITH sampled AS (
    SELECT c.i, c.answered_queue_id AS queue_id, 'D' || lpad(c.i::VARCHAR, 9, '0') AS call_id,
           c.offered_at + to_seconds(coalesce(c.partner_wait_s, c.home_wait_s) + 300
                                     + floor(3600 * demo_u(c.i, 'survey delay'))::INTEGER) AS answered_at,
           p.survey_level
             - CASE WHEN coalesce(c.partner_wait_s, c.home_wait_s) > 60 THEN 0.15 ELSE 0 END
             - CASE WHEN c.transferred THEN 0.2 ELSE 0 END
             - CASE WHEN c.unresolved THEN 0.2 ELSE 0 END AS satisfaction
    FROM demo_calls c
    JOIN demo_parties p ON p.queue_id = c.answered_queue_id
    WHERE demo_u(c.i, 'survey') < $survey_p
)
SELECT 'S' || call_id || '-csat', queue_id, call_id, answered_at, 'csat',
       1 + least(4, greatest(0, floor(5 * (satisfaction + 0.7 * (demo_u(i, 'csat') - 0.5))))), $batch_id
FROM sampled
UNION ALL
SELECT 'S' || call_id || '-nps', queue_id, call_id, answered_at, 'nps',
       least(10, greatest(0, floor(11 * (satisfaction + 0.8 * (demo_u(i, 'nps') - 0.5))))), $batch_id
FROM sampled
ORDER BY 4, 1
"""

# Staffing per partner queue per open interval: contracted agents cover the expected traffic with
# a margin; logged-in minutes follow how well the partner actually staffed the interval.
STAFFING = """
INSERT INTO staffing
SELECT s.queue_id, a.interval_utc,
       contracted_agents * 15 AS contracted_min,
       round(contracted_agents * 15 * least(1.1, s.staffed)) AS logged_in_min,
       $batch_id
FROM (
    SELECT s.*, greatest(1, ceil(1.25 * $calls * a.weight / t.total * a.p_overflow
                                 * (s.route_hi - s.route_lo) * (p.talk_mean_s + 60) / 900 + 0.5))
                AS contracted_agents
    FROM demo_slots s
    JOIN demo_arrivals a USING (ix)
    JOIN demo_parties p ON p.queue_id = s.queue_id
    CROSS JOIN (SELECT max(total_weight) AS total FROM demo_arrivals) t
) s
JOIN demo_arrivals a USING (ix)
ORDER BY s.queue_id, a.interval_utc
"""

# The weekly forecast the centre gave each partner: the normal volume, within a few percent. In
# surge weeks (campaigns, outages) the centre sent far more than forecast: those weeks excuse a miss.
FORECASTS = """
INSERT INTO forecasts
WITH sent AS (
    SELECT s.partner_id, c.week_start, count(*) AS legs
    FROM demo_calls c
    JOIN demo_parties s ON s.queue_id = c.partner_queue_id
    GROUP BY ALL
), surge AS (
    SELECT DISTINCT week_start, surge FROM demo_intervals
)
SELECT sent.partner_id, sent.week_start,
       round(sent.legs / surge.surge * (1 + 0.06 * (2 * demo_u(sent.partner_id * 100000 + (sent.week_start - DATE '2000-01-01'), 'forecast') - 1)))::BIGINT,
       $batch_id
FROM sent JOIN surge USING (week_start)
ORDER BY 1, 2
"""

DROP_TEMP = """
DROP TABLE IF EXISTS demo_customers; DROP TABLE IF EXISTS demo_calls; DROP TABLE IF EXISTS demo_evals;
DROP TABLE IF EXISTS demo_slots; DROP TABLE IF EXISTS demo_arrivals; DROP TABLE IF EXISTS demo_intervals;
DROP TABLE IF EXISTS demo_parties; DROP TABLE IF EXISTS demo_form;
"""
