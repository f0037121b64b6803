-- Schema version 4: opening hours become versions, like agreements, and may pass midnight.
--
-- A version holds a partner's whole week from valid_from (a local day) until the next version's
-- valid_from, so changing the hours never re-judges past weeks. Versions are never updated or
-- deleted. Hours are applied when figures are read (inside_opening_hours below), never stored in
-- the rollups, so a new version needs no rebuild.
CREATE SEQUENCE hours_version_ids START 1;
CREATE TABLE hours_versions (
    version_id INTEGER PRIMARY KEY DEFAULT nextval('hours_version_ids'),
    partner_id INTEGER NOT NULL REFERENCES partners (partner_id),
    valid_from DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by VARCHAR,
    note       VARCHAR NOT NULL DEFAULT ''
);

-- The open spans of one version, local to the partner's queues' time zone. A weekday without a
-- span is closed; a weekday may have several spans. closes_at <= opens_at: the span passes
-- midnight and closes on the next day (the part after midnight belongs to the day it starts on);
-- 00:00-00:00 is the whole day.
CREATE TABLE opening_hours (
    version_id  INTEGER NOT NULL REFERENCES hours_versions (version_id),
    iso_weekday INTEGER NOT NULL CHECK (iso_weekday BETWEEN 1 AND 7),
    opens_at    TIME NOT NULL,
    closes_at   TIME NOT NULL,
    PRIMARY KEY (version_id, iso_weekday, opens_at, closes_at)
);

-- The hours set before versions existed apply from the earliest day, so no figure changes.
INSERT INTO hours_versions (partner_id, valid_from, created_by, note)
SELECT DISTINCT partner_id, DATE '1970-01-01', 'migration', 'opening hours before versions existed'
FROM partner_hours ORDER BY partner_id;
INSERT INTO opening_hours
SELECT v.version_id, h.iso_weekday, h.opens_at, h.closes_at
FROM partner_hours h JOIN hours_versions v USING (partner_id);
DROP TABLE partner_hours;

-- Hours versions as spans: in force from valid_from until the next version's valid_from (valid_to,
-- exclusive; NULL = still in force). Two versions with the same valid_from: the later one wins.
CREATE VIEW hours_spans AS
WITH latest AS (
    SELECT v.*, row_number() OVER (PARTITION BY partner_id, valid_from ORDER BY version_id DESC) AS rank_in_day
    FROM hours_versions v
)
SELECT latest.* EXCLUDE (rank_in_day),
       lead(valid_from) OVER (PARTITION BY partner_id ORDER BY valid_from) AS valid_to
FROM latest
WHERE rank_in_day = 1;

-- Whether the local wall-clock time hours_local (a TIMESTAMP in the partner's queues' zone) falls
-- inside the opening hours of partner hours_partner: in-house (NULL) always; a partner before its
-- first version is open around the clock; else a span of the version in force on the day the span
-- starts: today's, or yesterday's that passes midnight.
CREATE MACRO inside_opening_hours(hours_partner, hours_local) AS (
    hours_partner IS NULL
    OR NOT EXISTS (SELECT 1 FROM hours_versions v
                   WHERE v.partner_id = hours_partner AND v.valid_from <= CAST(hours_local AS DATE))
    OR EXISTS (SELECT 1
               FROM (VALUES (CAST(hours_local AS DATE)), (CAST(hours_local AS DATE) - 1)) AS span_start(day)
               JOIN hours_spans v ON v.partner_id = hours_partner AND v.valid_from <= span_start.day
                                 AND (v.valid_to IS NULL OR span_start.day < v.valid_to)
               JOIN opening_hours h ON h.version_id = v.version_id AND h.iso_weekday = isodow(span_start.day)
               WHERE hours_local >= span_start.day + h.opens_at
                 AND hours_local < (span_start.day + CAST(h.closes_at <= h.opens_at AS INTEGER)) + h.closes_at)
);
