-- SQL that keeps interval_rollups up to date. Each statement: "-- name: X" then what it does.
-- The 15-minute UTC bucket of a leg is to_timestamp(floor(epoch / 900) * 900): the same in DuckDB and
-- PostgreSQL, and far faster than converting every leg's time zone.

-- name: scope
-- Fills rollup_scope with the distinct (queue, 15-minute UTC interval) pairs of the legs that
-- {legs} selects: one batch's legs, a partner's queues, one queue, or every leg (see rollups.py).
CREATE OR REPLACE TEMP TABLE rollup_scope AS
SELECT DISTINCT queue_id,
       to_timestamp(floor(extract(epoch FROM offered_at) / 900) * 900) AS interval_start
FROM call_legs
WHERE {legs};

-- name: delete_scope
-- Removes the rollup rows of the pairs in rollup_scope (they are rebuilt next).
DELETE FROM interval_rollups
WHERE EXISTS (SELECT 1 FROM rollup_scope s
              WHERE s.queue_id = interval_rollups.queue_id AND s.interval_start = interval_rollups.interval_start);

-- name: delete_partner
-- Removes every rollup row of the partner's queues (a queue may have lost all its legs' intervals).
DELETE FROM interval_rollups
WHERE queue_id IN (SELECT queue_id FROM queues WHERE partner_id = $partner_id);

-- name: scope_bounds
-- Returns the first and last interval start in rollup_scope as epoch seconds (NULLs when empty).
SELECT extract(epoch FROM min(interval_start)) AS first_start, extract(epoch FROM max(interval_start)) AS last_start
FROM rollup_scope;

-- name: insert_scope
-- Writes the rollup rows of the pairs in rollup_scope (rollup_rows below) into interval_rollups.
INSERT INTO interval_rollups
{rollup_rows};

-- name: rollup_rows
-- Returns one rollup row per pair in rollup_scope, aggregating all its legs and counting
-- within-threshold and short abandons with the T and S of the agreement in force for the queue's
-- partner on the interval's day in the reporting zone ($tz), else the defaults $default_t, $default_s.
-- $first_start and $last_end bound the legs read, so a one-day batch reads one day of legs.
-- Turned-away legs are also counted apart when routed inside the opening hours of the queue's owner
-- in force then (each leg at its own time, on the wall clock of the queue's zone: see
-- inside_opening_hours in data/migrations/0004_opening_hours.sql), so a new hours version needs
-- the partner's rollups rebuilt.
-- The one definition of a rollup row: the lake (lake/) runs this same text, transpiled by SQLGlot,
-- on DuckDB and on Spark, so it keeps to what both can run.
WITH legs AS (
    SELECT l.queue_id, l.offered_at, l.outcome, l.wait_s, l.talk_s, l.hold_s, l.wrap_s, l.transferred_to,
           to_timestamp(floor(extract(epoch FROM l.offered_at) / 900) * 900) AS interval_start,
           (l.transferred_to = 'in-house' OR (target.queue_id IS NOT NULL AND target.partner_id IS NULL))
               AS transferred_back
    FROM call_legs l
    LEFT JOIN queues target ON target.name = l.transferred_to
    WHERE l.offered_at >= $first_start AND l.offered_at < $last_end
),
turned_away AS (
    SELECT l.queue_id, l.interval_start, count(*) AS turned_away,
           count(*) FILTER (WHERE inside_opening_hours(q.partner_id, CAST(l.offered_at AT TIME ZONE q.time_zone AS TIMESTAMP)))
               AS inside_hours
    FROM legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.outcome = 'turned_away'
    GROUP BY l.queue_id, l.interval_start
),
terms AS (
    SELECT s.queue_id, s.interval_start,
           coalesce(a.sl_threshold_s, $default_t) AS threshold_s,
           coalesce(a.short_abandon_s, $default_s) AS short_abandon_s
    FROM rollup_scope s
    JOIN queues q ON q.queue_id = s.queue_id
    LEFT JOIN agreement_spans a
           ON a.partner_id = q.partner_id
          AND a.valid_from <= CAST(s.interval_start AT TIME ZONE $tz AS DATE)
          AND (a.valid_to IS NULL OR CAST(s.interval_start AT TIME ZONE $tz AS DATE) < a.valid_to)
)
SELECT t.queue_id, t.interval_start, t.threshold_s, t.short_abandon_s,
       count(*) AS offered,
       count(*) FILTER (WHERE l.outcome = 'answered') AS answered,
       count(*) FILTER (WHERE l.outcome = 'abandoned') AS abandoned,
       count(*) FILTER (WHERE l.outcome = 'overflowed') AS overflowed,
       count(*) FILTER (WHERE l.outcome = 'answered' AND l.wait_s <= t.threshold_s) AS answered_within_threshold,
       count(*) FILTER (WHERE l.outcome = 'abandoned' AND l.wait_s <= t.threshold_s) AS abandoned_within_threshold,
       count(*) FILTER (WHERE l.outcome = 'abandoned' AND l.wait_s < t.short_abandon_s) AS short_abandoned,
       coalesce(sum(l.wait_s) FILTER (WHERE l.outcome = 'answered'), 0) AS answered_wait_s,
       coalesce(sum(l.wait_s) FILTER (WHERE l.outcome = 'abandoned'), 0) AS abandoned_wait_s,
       coalesce(sum(coalesce(l.talk_s, 0) + coalesce(l.hold_s, 0) + coalesce(l.wrap_s, 0))
                FILTER (WHERE l.outcome = 'answered'), 0) AS handle_s,
       coalesce(sum(l.talk_s) FILTER (WHERE l.outcome = 'answered'), 0) AS talk_s,
       coalesce(sum(l.hold_s) FILTER (WHERE l.outcome = 'answered'), 0) AS hold_s,
       coalesce(sum(l.wrap_s) FILTER (WHERE l.outcome = 'answered'), 0) AS wrap_s,
       count(*) FILTER (WHERE l.outcome = 'answered' AND l.transferred_to IS NOT NULL AND l.transferred_to <> '')
           AS transferred,
       count(*) FILTER (WHERE l.outcome = 'answered' AND l.transferred_back) AS transferred_back,
       coalesce(tw.turned_away, 0) AS turned_away,
       coalesce(tw.inside_hours, 0) AS turned_away_inside_hours
FROM terms t
JOIN legs l ON l.queue_id = t.queue_id AND l.interval_start = t.interval_start
LEFT JOIN turned_away tw ON tw.queue_id = t.queue_id AND tw.interval_start = t.interval_start
GROUP BY t.queue_id, t.interval_start, t.threshold_s, t.short_abandon_s, tw.turned_away, tw.inside_hours
