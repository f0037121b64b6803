-- Schema version 10: alert rules, the alerts they raise, subscriptions and the delivery log (issue 18).
--
-- Nothing here holds a mail server's address or password: those come from OVERFLOW_SMTP_URL or the
-- [smtp] section of .streamlit/secrets.toml when a message is sent (notify/channels.py).

-- A rule watches one partner (partner_id) or every partner (NULL). kind decides what `threshold`
-- and `intervals` mean (notify/rules.py): sl_below (a fraction, N consecutive intervals),
-- abandon_over (a fraction, for a day), turned_away (none: one turned-away leg inside opening
-- hours is a breach), no_legs (hours without a leg while open), figure_red (the figure `metric`
-- of the week's scorecard is red). A removed rule is kept, with removed_at, for its alerts.
CREATE SEQUENCE alert_rule_ids START 1;
CREATE TABLE alert_rules (
    rule_id    INTEGER PRIMARY KEY DEFAULT nextval('alert_rule_ids'),
    name       VARCHAR NOT NULL,
    partner_id INTEGER REFERENCES partners (partner_id),
    kind       VARCHAR NOT NULL CHECK (kind IN ('sl_below', 'abandon_over', 'turned_away', 'no_legs', 'figure_red')),
    metric     VARCHAR,
    threshold  DOUBLE,
    intervals  INTEGER,
    severity   VARCHAR NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by VARCHAR,
    removed_at TIMESTAMPTZ,
    removed_by VARCHAR
);

-- One breach of one rule by one partner over one stretch (`breach_key`: the local day, or the ISO
-- week for figure_red). At most one alert per (rule, partner, key) is not cleared; a breach that
-- clears and comes back is a new alert. Raising, acknowledging and clearing each say who and when.
CREATE SEQUENCE alert_ids START 1;
CREATE TABLE alerts (
    alert_id        INTEGER PRIMARY KEY DEFAULT nextval('alert_ids'),
    rule_id         INTEGER NOT NULL REFERENCES alert_rules (rule_id),
    partner_id      INTEGER NOT NULL REFERENCES partners (partner_id),
    breach_key      VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,     -- the stretch in words: 23 Nov 2026 09:00–10:00
    figure          VARCHAR NOT NULL,     -- the figure's label
    value           DOUBLE,               -- the figure's value when raised (latest seen while open)
    shown_value     VARCHAR NOT NULL,     -- as a person reads it: 61.5 %
    shown_threshold VARCHAR NOT NULL,     -- below 80.0 % for 4 intervals in a row
    link            VARCHAR NOT NULL,     -- the view that shows it: /availability?partner=..&period=..
    state           VARCHAR NOT NULL CHECK (state IN ('open', 'acknowledged', 'cleared')),
    raised_at       TIMESTAMPTZ NOT NULL,
    raised_by       VARCHAR NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by VARCHAR,
    cleared_at      TIMESTAMPTZ,
    cleared_by      VARCHAR
);

-- Who is told what. address: an e-mail address, or a webhook URL (http/https). what: scorecard
-- (files for `format`), alerts (each raise and clearing) or digest (one message a day). audience
-- partner: the partner's own people, only ever sent that partner's files and alerts; centre: the
-- centre's, for one partner or (partner_id NULL) every partner.
CREATE SEQUENCE subscription_ids START 1;
CREATE TABLE subscriptions (
    subscription_id INTEGER PRIMARY KEY DEFAULT nextval('subscription_ids'),
    address    VARCHAR NOT NULL,
    what       VARCHAR NOT NULL CHECK (what IN ('scorecard', 'alerts', 'digest')),
    partner_id INTEGER REFERENCES partners (partner_id),
    audience   VARCHAR NOT NULL CHECK (audience IN ('centre', 'partner')),
    format     VARCHAR NOT NULL DEFAULT 'both' CHECK (format IN ('pdf', 'xlsx', 'both')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by VARCHAR,
    CHECK (audience = 'centre' OR partner_id IS NOT NULL)
);

-- Every message handed to a mail server or webhook, one row per message: what, to whom, which
-- files, and whether the server took it (sent) or not after every attempt (failed, with why).
-- A row is written as `sending` before the message goes out (so a second process judging the rules
-- at the same time does not send it again) and updated with the outcome; a `sending` row older
-- than a quarter of an hour belongs to a run that died and no longer holds its message back.
CREATE SEQUENCE delivery_ids START 1;
CREATE TABLE deliveries (
    delivery_id INTEGER PRIMARY KEY DEFAULT nextval('delivery_ids'),
    sent_at     TIMESTAMPTZ NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('alert', 'clearing', 'scorecard', 'digest')),
    channel     VARCHAR NOT NULL CHECK (channel IN ('email', 'webhook')),
    address     VARCHAR NOT NULL,
    partner_id  INTEGER,               -- whose data it carried (NULL: several partners or none)
    alert_id    INTEGER,
    subject     VARCHAR NOT NULL,
    files       VARCHAR NOT NULL DEFAULT '',  -- attached file names, comma separated
    status      VARCHAR NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL,
    detail      VARCHAR NOT NULL DEFAULT ''   -- the server's answer, or each attempt's error
);
