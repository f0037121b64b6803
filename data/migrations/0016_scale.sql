-- Schema version 16 (issue 22): call_journeys, so that the customer's call is read without the legs,
-- and aggregated_batches, so that refreshing a batch twice does not count it twice.
--
-- aggregated_batches: the batches whose legs the detail aggregates hold (wait_histogram, repeat_gaps,
-- call_paths and customer_calls add a batch's changes to what they hold); a refresh of a batch listed
-- there leaves them alone. A rebuild lists every batch it read.
CREATE TABLE aggregated_batches (batch_id INTEGER PRIMARY KEY);
INSERT INTO aggregated_batches SELECT DISTINCT batch_id FROM call_legs;
--
-- One row per call and partner the call was routed to (a call is its legs' journey_id, else call_id):
-- what the customer went through there, with no agreement term applied (T, S and the agreed in-house
-- wait before overflow are applied when it is read). Whether its first leg at the partner came inside
-- the opening hours is kept, so a new hours version re-judges it (rollups.refresh_hours). The statement
-- `journeys` (metrics/sql/details.sql) reads this table, or the same macro over the legs in a range:
-- one definition. The partner is the owner of the call's queues when the row was written, so moving a
-- queue rebuilds the table (data/rollups.py); an import replaces the rows of the calls it has legs of.
-- Rows grow with the calls routed to partners, a fraction of the legs, and are read by a range of
-- first_offered (written in its order, so a read skips the rest), without sorting or windows.
CREATE TABLE call_journeys (
    call_hash        UBIGINT NOT NULL,     -- hash(call key): an import replaces the rows of its calls
    first_offered    TIMESTAMPTZ NOT NULL, -- the call's first leg: the period the call belongs to
    partner_id       INTEGER NOT NULL,
    first_queue_id   INTEGER NOT NULL,     -- the queue of the call's first leg at the partner
    first_at         TIMESTAMPTZ NOT NULL, -- that leg's offered_at
    inside_hours     BOOLEAN NOT NULL,     -- it came inside the partner's opening hours (local to that queue)
    in_house_legs    BIGINT NOT NULL,      -- in-house legs before it
    in_house_wait_s  BIGINT NOT NULL,      -- their waits
    partner_wait_s   BIGINT NOT NULL,      -- the waits of the call's legs at the partner
    total_wait_s     BIGINT NOT NULL,      -- every leg's wait up to the first answered one (all when none)
    answered         BOOLEAN NOT NULL,     -- anyone answered the call
    gave_up          BOOLEAN NOT NULL,     -- never answered and its last leg abandoned
    crossings        BIGINT NOT NULL       -- unanswered moves between in-house and the partner
);

-- Per call with a leg in batch `batch` (every call when NULL) and partner it was routed to, from the
-- call's legs offered in [since, until): the row call_journeys holds. Legs are put in the order the
-- caller went through them: by offered_at, then by when the leg ended (a leg turned away at 10:10:00
-- comes before the in-house leg that took the call at 10:10:00), then by queue.
CREATE MACRO call_journeys_of(batch, since, until) AS TABLE
WITH keys AS (
    SELECT DISTINCT coalesce(journey_id, call_id) AS call_key FROM call_legs WHERE batch_id = batch
),
legs AS (
    SELECT coalesce(l.journey_id, l.call_id) AS call_key, q.partner_id, q.time_zone, l.queue_id, l.offered_at,
           l.outcome, l.wait_s,
           row_number() OVER (PARTITION BY coalesce(l.journey_id, l.call_id)
                              ORDER BY l.offered_at, l.offered_at + l.wait_s * INTERVAL '1 second', l.queue_id) AS step
    FROM call_legs l
    JOIN queues q ON q.queue_id = l.queue_id
    WHERE l.offered_at >= since AND l.offered_at < until
      AND (batch IS NULL OR coalesce(l.journey_id, l.call_id) IN (SELECT call_key FROM keys))
),
calls AS (
    SELECT call_key, min(offered_at) AS first_offered, min(step) FILTER (WHERE outcome = 'answered') AS answered_step
    FROM legs
    GROUP BY call_key
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
           arg_min(offered_at, step) AS first_at, arg_min(queue_id, step) AS first_queue_id,
           arg_min(time_zone, step) AS time_zone
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
)
SELECT hash(r.call_key) AS call_hash, c.first_offered, r.partner_id, r.first_queue_id, r.first_at,
       inside_opening_hours(r.partner_id, CAST(r.first_at AT TIME ZONE r.time_zone AS TIMESTAMP)) AS inside_hours,
       p.in_house_legs, CAST(p.in_house_wait_s AS BIGINT) AS in_house_wait_s,
       CAST(r.partner_wait_s AS BIGINT) AS partner_wait_s, CAST(c.total_wait_s AS BIGINT) AS total_wait_s,
       c.answered, NOT c.answered AND c.last_outcome = 'abandoned' AS gave_up, p.crossings
FROM routed r
JOIN paths p ON p.call_key = r.call_key AND p.partner_id = r.partner_id
JOIN call_totals c ON c.call_key = r.call_key
ORDER BY c.first_offered;

INSERT INTO call_journeys
SELECT * FROM call_journeys_of(NULL, TIMESTAMPTZ '-infinity', TIMESTAMPTZ 'infinity');
