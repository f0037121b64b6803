-- Schema version 12: service credits and bonuses, the month's commercial record, invoices and
-- disputes (issue 19).
--
-- credit_month_cap: the most a month's credits (and, apart, its bonuses) may come to under this
-- version, in the invoice's currency; NULL = no month cap. Checked by partners.agreements.checked.
ALTER TABLE agreements ADD COLUMN credit_month_cap DOUBLE;

-- What a miss of one figure costs and a beat earns, per agreement version (versions never change,
-- so neither do their rules: new rules are a new version). Amounts are in the invoice's currency
-- (kind 'fixed') or shares of the month's invoice (kind 'share_of_invoice', 0.01 = 1 %), per point
-- of the figure's own unit (a percentage point, a second, an NPS point) or per started band of
-- band_points points. figure_cap is in the rule's kind; earn_back_months = 0: no earn-back.
-- counts: the statuses that cost ('amber,red' or 'red'); excused, provisional and no data never do.
CREATE SEQUENCE credit_rule_ids START 1;
CREATE TABLE credit_rules (
    rule_id          INTEGER PRIMARY KEY DEFAULT nextval('credit_rule_ids'),
    agreement_id     INTEGER NOT NULL,
    metric           VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL CHECK (kind IN ('fixed', 'share_of_invoice')),
    per              VARCHAR NOT NULL CHECK (per IN ('point', 'band')),
    miss_amount      DOUBLE NOT NULL,
    beat_amount      DOUBLE,
    band_points      DOUBLE,
    figure_cap       DOUBLE,
    earn_back_months INTEGER NOT NULL DEFAULT 0,
    counts           VARCHAR NOT NULL DEFAULT 'amber,red',
    UNIQUE (agreement_id, metric)
);

-- A closed month: the figures frozen as a meeting freezes them (meetings.Snapshot as JSON), the
-- partner's 15-minute service-level counts (so an agreed exclusion of a span is taken out of the
-- frozen numbers, not of today's) and our own counts of the billing units. One close per partner
-- and month; the record is computed from these, never from today's data.
CREATE TABLE month_closes (
    partner_id     INTEGER NOT NULL,
    month          DATE NOT NULL,          -- the month's first day (reporting zone)
    frozen_figures VARCHAR NOT NULL,
    intervals      VARCHAR NOT NULL,
    units          VARCHAR NOT NULL,
    closed_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_by      VARCHAR,
    PRIMARY KEY (partner_id, month)
);

-- The partner's invoice lines (profile `invoice`): what it bills per unit for a month.
CREATE TABLE invoice_lines (
    partner_id INTEGER NOT NULL,
    invoice    VARCHAR NOT NULL,
    line       VARCHAR NOT NULL,
    month      DATE NOT NULL,              -- the billed month's first day
    unit       VARCHAR NOT NULL CHECK (unit IN ('handled_calls', 'talk_minutes', 'agent_hours', 'agents')),
    quantity   DOUBLE NOT NULL,
    unit_price DOUBLE NOT NULL,
    batch_id   INTEGER NOT NULL,
    PRIMARY KEY (partner_id, invoice, line)
);

-- A partner's dispute of one figure of a closed month, whole or over a span of 15-minute intervals
-- (UTC, [span_start, span_end)); the centre accepts or rejects it with a note.
CREATE SEQUENCE dispute_ids START 1;
CREATE TABLE disputes (
    dispute_id    INTEGER PRIMARY KEY DEFAULT nextval('dispute_ids'),
    partner_id    INTEGER NOT NULL,
    month         DATE NOT NULL,
    metric        VARCHAR NOT NULL,
    span_start    TIMESTAMPTZ,
    span_end      TIMESTAMPTZ,
    reason        VARCHAR NOT NULL,
    raised_by     VARCHAR NOT NULL,
    raised_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    status        VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    decided_by    VARCHAR,
    decided_at    TIMESTAMPTZ,
    decision_note VARCHAR NOT NULL DEFAULT ''
);
