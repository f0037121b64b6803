-- Schema version 1: the store every other part builds on.
-- Timestamps are TIMESTAMPTZ and written in UTC; days and weeks are cut in the reporting zone
-- at query time, never here. Durations are whole seconds.

-- One row per setting that differs from its default (defaults live in data/settings.py).
CREATE TABLE settings (
    name  VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- A counter bumped by every committed write, so readers can key caches on it.
CREATE TABLE data_version (
    version    BIGINT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
INSERT INTO data_version VALUES (0, now());

CREATE SEQUENCE partner_ids START 1;
CREATE TABLE partners (
    partner_id INTEGER PRIMARY KEY DEFAULT nextval('partner_ids'),
    name       VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Opening hours per ISO weekday (1 = Monday), local to the partner's queues' time zone.
-- A partner with no rows is taken as open around the clock.
CREATE TABLE partner_hours (
    partner_id  INTEGER NOT NULL REFERENCES partners (partner_id),
    iso_weekday INTEGER NOT NULL CHECK (iso_weekday BETWEEN 1 AND 7),
    opens_at    TIME NOT NULL,
    closes_at   TIME NOT NULL,
    PRIMARY KEY (partner_id, iso_weekday)
);

-- A queue belongs to the centre (partner_id NULL) or to exactly one partner.
CREATE SEQUENCE queue_ids START 1;
CREATE TABLE queues (
    queue_id   INTEGER PRIMARY KEY DEFAULT nextval('queue_ids'),
    name       VARCHAR NOT NULL UNIQUE,
    partner_id INTEGER REFERENCES partners (partner_id),
    time_zone  VARCHAR NOT NULL DEFAULT 'Europe/Stockholm'
);

CREATE SEQUENCE batch_ids START 1;
-- One row per import: what was read and where every row went.
-- read = imported + duplicates + filtered + rejected, always.
CREATE TABLE import_batches (
    batch_id    INTEGER PRIMARY KEY DEFAULT nextval('batch_ids'),
    kind        VARCHAR NOT NULL,      -- call_legs, qa, surveys, staffing, agreements, forecasts
    profile     VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    time_zone   VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    imported_by VARCHAR,
    read        BIGINT NOT NULL,
    imported    BIGINT NOT NULL,
    duplicates  BIGINT NOT NULL,
    filtered    BIGINT NOT NULL,
    rejected    BIGINT NOT NULL,
    filtered_by VARCHAR NOT NULL DEFAULT '{}',   -- JSON object: rule name -> count
    notes       VARCHAR NOT NULL DEFAULT '',      -- e.g. unfinished calls at the end of a queue_log
    CHECK (read = imported + duplicates + filtered + rejected)
);

-- Rows an import could not take, with the reason a person can act on.
CREATE TABLE rejected_rows (
    batch_id  INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    line_no   BIGINT,
    raw       VARCHAR NOT NULL,
    reason    VARCHAR NOT NULL
);

-- One call's stay in one queue. Identity is (queue_id, call_id): the importer skips a pair it
-- already holds. No primary key on purpose: an ART index over tens of millions of rows costs
-- more memory and import time than the anti-join the importer does instead.
CREATE TABLE call_legs (
    queue_id       INTEGER NOT NULL,
    call_id        VARCHAR NOT NULL,
    offered_at     TIMESTAMPTZ NOT NULL,
    outcome        VARCHAR NOT NULL CHECK (outcome IN ('answered', 'abandoned', 'overflowed')),
    wait_s         INTEGER NOT NULL CHECK (wait_s >= 0),
    talk_s         INTEGER CHECK (talk_s >= 0),
    hold_s         INTEGER CHECK (hold_s >= 0),
    wrap_s         INTEGER CHECK (wrap_s >= 0),
    agent_id       VARCHAR,
    customer_id    VARCHAR,
    journey_id     VARCHAR,
    transferred_to VARCHAR,               -- queue name, or 'in-house', when transferred after answer
    batch_id       INTEGER NOT NULL
);

-- QA evaluations: one row per evaluation of one call, items below.
CREATE TABLE qa_evaluations (
    evaluation_id       VARCHAR PRIMARY KEY,
    queue_id            INTEGER NOT NULL,
    call_id             VARCHAR,
    agent_id            VARCHAR,
    evaluator           VARCHAR NOT NULL,
    evaluated_at        TIMESTAMPTZ NOT NULL,
    form                VARCHAR NOT NULL DEFAULT 'default',
    is_calibration      BOOLEAN NOT NULL DEFAULT FALSE,
    calibration_session VARCHAR,          -- evaluations of one call by several evaluators
    is_agreed           BOOLEAN NOT NULL DEFAULT FALSE,  -- the session's agreed score, if any
    batch_id            INTEGER NOT NULL
);

CREATE TABLE qa_items (
    evaluation_id VARCHAR NOT NULL,
    section       VARCHAR NOT NULL,
    item          VARCHAR NOT NULL,
    points        DOUBLE,                 -- NULL when the item is N/A
    max_points    DOUBLE NOT NULL CHECK (max_points > 0),
    weight        DOUBLE NOT NULL DEFAULT 1 CHECK (weight >= 0),
    is_na         BOOLEAN NOT NULL DEFAULT FALSE,
    is_critical   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (evaluation_id, section, item)
);

-- Customer survey answers: CSAT on 1-5, NPS on 0-10.
CREATE TABLE survey_answers (
    answer_id   VARCHAR PRIMARY KEY,
    queue_id    INTEGER NOT NULL,
    call_id     VARCHAR,
    answered_at TIMESTAMPTZ NOT NULL,
    scale       VARCHAR NOT NULL CHECK (scale IN ('csat', 'nps')),
    score       INTEGER NOT NULL,
    batch_id    INTEGER NOT NULL,
    CHECK ((scale = 'csat' AND score BETWEEN 1 AND 5) OR (scale = 'nps' AND score BETWEEN 0 AND 10))
);

-- Staffing per queue per 15-minute interval, in agent minutes.
CREATE TABLE staffing (
    queue_id       INTEGER NOT NULL,
    interval_start TIMESTAMPTZ NOT NULL,
    contracted_min DOUBLE,
    logged_in_min  DOUBLE,
    batch_id       INTEGER NOT NULL,
    PRIMARY KEY (queue_id, interval_start)
);

-- Weekly forecast of legs the centre expects to send a partner; week_start is an ISO Monday.
CREATE TABLE forecasts (
    partner_id INTEGER NOT NULL,
    week_start DATE NOT NULL,
    legs       BIGINT NOT NULL CHECK (legs >= 0),
    batch_id   INTEGER,
    PRIMARY KEY (partner_id, week_start)
);

-- Agreement versions. A version applies from valid_from until the next version's valid_from;
-- versions are never updated or deleted, so the history is the table itself.
CREATE SEQUENCE agreement_ids START 1;
CREATE TABLE agreements (
    agreement_id       INTEGER PRIMARY KEY DEFAULT nextval('agreement_ids'),
    partner_id         INTEGER NOT NULL REFERENCES partners (partner_id),
    valid_from         DATE NOT NULL,
    share_min          DOUBLE,
    share_target       DOUBLE,
    share_max          DOUBLE,
    sl_target          DOUBLE,
    sl_threshold_s     INTEGER NOT NULL DEFAULT 20,
    short_abandon_s    INTEGER NOT NULL DEFAULT 5,
    sl_variant         VARCHAR NOT NULL DEFAULT 'abandons-count'
        CHECK (sl_variant IN ('abandons-count', 'answered-only', 'abandons-within-met', 'with-overflow')),
    abandon_rate_max   DOUBLE,
    asa_max_s          DOUBLE,
    qa_min             DOUBLE,
    fcr_min            DOUBLE,
    fcr_days           INTEGER NOT NULL DEFAULT 7,
    transfer_back_max  DOUBLE,
    csat_min           DOUBLE,
    nps_min            DOUBLE,
    forecast_tolerance DOUBLE NOT NULL DEFAULT 0.10,
    amber_tolerance    DOUBLE NOT NULL DEFAULT 0.05,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by         VARCHAR,
    note               VARCHAR NOT NULL DEFAULT ''
);

CREATE SEQUENCE meeting_ids START 1;
CREATE TABLE meetings (
    meeting_id     INTEGER PRIMARY KEY DEFAULT nextval('meeting_ids'),
    partner_id     INTEGER NOT NULL REFERENCES partners (partner_id),
    held_on        DATE NOT NULL,
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,          -- exclusive
    attendees      VARCHAR NOT NULL DEFAULT '',
    notes          VARCHAR NOT NULL DEFAULT '',
    decisions      VARCHAR NOT NULL DEFAULT '',
    frozen_figures VARCHAR,                -- JSON: the figures the meeting showed when saved
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by     VARCHAR
);

CREATE SEQUENCE action_item_ids START 1;
CREATE TABLE action_items (
    item_id           INTEGER PRIMARY KEY DEFAULT nextval('action_item_ids'),
    partner_id        INTEGER NOT NULL REFERENCES partners (partner_id),
    raised_in         INTEGER REFERENCES meetings (meeting_id),
    title             VARCHAR NOT NULL,
    owner             VARCHAR NOT NULL DEFAULT '',
    side              VARCHAR NOT NULL CHECK (side IN ('centre', 'partner')),
    due_on            DATE,
    status            VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    closed_in         INTEGER REFERENCES meetings (meeting_id),
    closed_at         TIMESTAMPTZ
);

-- Every status change of an action item, so closing one is on record.
CREATE TABLE action_item_events (
    item_id    INTEGER NOT NULL,
    meeting_id INTEGER,
    status     VARCHAR NOT NULL,
    note       VARCHAR NOT NULL DEFAULT '',
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    by_user    VARCHAR
);

CREATE SEQUENCE activity_ids START 1;
CREATE TABLE activities (
    activity_id  INTEGER PRIMARY KEY DEFAULT nextval('activity_ids'),
    partner_id   INTEGER NOT NULL REFERENCES partners (partner_id),
    kind         VARCHAR NOT NULL CHECK (kind IN ('training', 'co-listening', 'calibration')),
    held_on      DATE NOT NULL,
    participants VARCHAR NOT NULL DEFAULT '',
    notes        VARCHAR NOT NULL DEFAULT '',
    meeting_id   INTEGER
);

-- Who may see what once sign-in is on.
CREATE TABLE access (
    email      VARCHAR PRIMARY KEY,
    role       VARCHAR NOT NULL CHECK (role IN ('admin', 'manager', 'partner')),
    partner_id INTEGER REFERENCES partners (partner_id),
    granted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    granted_by VARCHAR,
    CHECK ((role = 'partner') = (partner_id IS NOT NULL))
);

CREATE TABLE audit_log (
    logged_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor  VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    detail VARCHAR NOT NULL DEFAULT ''
);
