-- Schema version 2: 15-minute interval rollups of call legs, and the agreement spans view.
--
-- One row per queue per 15-minute UTC-aligned interval that has legs. Only counts and sums of
-- seconds are stored (numerators and denominators), never ratios, so every coarser grain is a sum.
-- answered_within_threshold, abandoned_within_threshold and short_abandoned depend on T and S:
-- each row holds the counts for the T and S of the agreement in force for the queue's partner on
-- that interval's reporting-zone day (else the settings' defaults), and says which T and S it used.
-- data/rollups.py keeps the table up to date (per import batch, per partner, or all of it).
CREATE TABLE interval_rollups (
    queue_id                   INTEGER NOT NULL,
    interval_start             TIMESTAMPTZ NOT NULL,   -- UTC, minute in (0, 15, 30, 45)
    threshold_s                INTEGER NOT NULL,       -- T used for the *_within_threshold counts
    short_abandon_s            INTEGER NOT NULL,       -- S used for short_abandoned
    offered                    BIGINT NOT NULL,
    answered                   BIGINT NOT NULL,
    abandoned                  BIGINT NOT NULL,
    overflowed                 BIGINT NOT NULL,
    answered_within_threshold  BIGINT NOT NULL,        -- answered with wait_s <= T
    abandoned_within_threshold BIGINT NOT NULL,        -- abandoned with wait_s <= T
    short_abandoned            BIGINT NOT NULL,        -- abandoned with wait_s < S
    answered_wait_s            BIGINT NOT NULL,        -- sum of wait_s over answered legs
    abandoned_wait_s           BIGINT NOT NULL,        -- sum of wait_s over abandoned legs
    handle_s                   BIGINT NOT NULL,        -- sum of talk_s + hold_s + wrap_s (NULL = 0) over answered
    talk_s                     BIGINT NOT NULL,
    hold_s                     BIGINT NOT NULL,
    wrap_s                     BIGINT NOT NULL,
    transferred                BIGINT NOT NULL,        -- answered legs transferred after answer
    transferred_back           BIGINT NOT NULL,        -- ... to 'in-house' or to an in-house queue
    PRIMARY KEY (queue_id, interval_start)
);

-- Agreement versions as spans: the version in force from valid_from until the next version's
-- valid_from (valid_to, exclusive; NULL = still in force). Two versions with the same valid_from:
-- the later one (higher agreement_id) wins, the earlier one never applied.
CREATE VIEW agreement_spans AS
WITH latest AS (
    SELECT a.*, row_number() OVER (PARTITION BY partner_id, valid_from ORDER BY agreement_id DESC) AS rank_in_day
    FROM agreements a
)
SELECT latest.* EXCLUDE (rank_in_day),
       lead(valid_from) OVER (PARTITION BY partner_id ORDER BY valid_from) AS valid_to
FROM latest
WHERE rank_in_day = 1;
