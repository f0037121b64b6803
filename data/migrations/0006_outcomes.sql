-- Schema version 6: outcomes as DOMAIN.md pins them (issue 15).
--
-- * `turned_away` is a fourth leg outcome (routed to the queue but never let in: no agent logged
--   in, queue full or closed), and every leg keeps why it ended (`end_reason`). DuckDB cannot alter
--   a CHECK, so call_legs is rebuilt: same columns, end_reason added, every leg kept as it was.
--   Legs already held keep their outcome (so their counts); their end_reason is 'answered' for
--   answered legs and NULL (not known) for the others: the old queue-log import did not keep it.
-- * interval_rollups count turned-away legs, and those of them routed inside the queue owner's
--   opening hours (misses in every service-level variant but answered-only); no leg held so far
--   is turned away, so 0 is right for every row already there.
-- * agreements may set a maximum turned-away rate (a fraction, NULL = no target).
-- * usable_customer_id: whether a customer id tells customers apart, for FCR.
CREATE TABLE call_legs_outcomes (
    queue_id       INTEGER NOT NULL,
    call_id        VARCHAR NOT NULL,
    offered_at     TIMESTAMPTZ NOT NULL,
    outcome        VARCHAR NOT NULL CHECK (outcome IN ('answered', 'abandoned', 'overflowed', 'turned_away')),
    wait_s         INTEGER NOT NULL CHECK (wait_s >= 0),
    talk_s         INTEGER CHECK (talk_s >= 0),
    hold_s         INTEGER CHECK (hold_s >= 0),
    wrap_s         INTEGER CHECK (wrap_s >= 0),
    agent_id       VARCHAR,
    customer_id    VARCHAR,
    journey_id     VARCHAR,
    transferred_to VARCHAR,               -- queue name, or 'in-house', when transferred after answer
    end_reason     VARCHAR CHECK (end_reason IN ('answered', 'hung_up', 'timed_out', 'queue_emptied', 'key_pressed',
                                                 'turned_away_full', 'turned_away_closed', 'turned_away_no_agents')),
    batch_id       INTEGER NOT NULL
);
INSERT INTO call_legs_outcomes
SELECT queue_id, call_id, offered_at, outcome, wait_s, talk_s, hold_s, wrap_s, agent_id, customer_id, journey_id,
       transferred_to, CASE WHEN outcome = 'answered' THEN 'answered' END, batch_id
FROM call_legs
ORDER BY offered_at, queue_id;
DROP TABLE call_legs;
ALTER TABLE call_legs_outcomes RENAME TO call_legs;

ALTER TABLE interval_rollups ADD COLUMN turned_away BIGINT DEFAULT 0;               -- outcome = turned_away
ALTER TABLE interval_rollups ADD COLUMN turned_away_inside_hours BIGINT DEFAULT 0;  -- ... routed inside opening hours

ALTER TABLE agreements ADD COLUMN turned_away_max DOUBLE;

-- A customer id that tells customers apart: not empty, not 0 (or only zeros), not a word the switch
-- writes for a hidden number (withheld, anonymous, unknown, private, restricted, ...): an id without
-- any digit is taken as such a word. Legs without one are left out of FCR, since they would all look
-- like one customer calling again and again.
CREATE MACRO usable_customer_id(id) AS (
    id IS NOT NULL
    AND lower(trim(id)) NOT IN ('', '0', 'withheld', 'anonymous', 'unknown', 'private')
    AND regexp_matches(id, '[0-9]')
    AND NOT regexp_full_match(trim(id), '\+?0+')
);
