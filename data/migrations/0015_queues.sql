-- Schema version 15: agreement versions numbered per partner, and queue renames and merges (issue 16).
--
-- version: 1, 2, ... per partner, the name a person gives a version ("version 2 of Alfa BPO"), where
-- the row id counted across all partners ("version 5" for a new partner's first). Existing versions
-- are numbered in valid_from order (then by when they were recorded); a new one takes the partner's
-- next number, whatever its valid_from, so a number once shown (a frozen meeting, an export) never
-- changes. NULL only for a row written past partners.agreements.add_version (none in the app).
ALTER TABLE agreements ADD COLUMN version INTEGER;
UPDATE agreements SET version = numbered.version
FROM (SELECT agreement_id, row_number() OVER (PARTITION BY partner_id ORDER BY valid_from, agreement_id) AS version
      FROM agreements) AS numbered
WHERE agreements.agreement_id = numbered.agreement_id;
