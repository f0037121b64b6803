-- Schema version 14: quality judged on its evidence (issue 17).
--
-- Agreement terms of the quality statuses (checked by partners.agreements.checked):
-- quality_judgement 'interval' (default): a quality figure is met when its 95 % interval lies on the
--   right side of the target, missed when beyond it, "can't tell yet" when the interval holds the target
--   or the sample is below the figure's minimum; 'point': judged on the point value with the amber
--   tolerance, for contracts that say so. Versions recorded before this take the interval rule.
-- *_min_n: the fewest evaluations or answers a figure is judged on; NULL = the documented default
--   (partners/terms.py MIN_N_DEFAULTS).
-- critical_error_max: the highest agreed share of evaluations with a critical or fatal item missed.
ALTER TABLE agreements ADD COLUMN quality_judgement VARCHAR NOT NULL DEFAULT 'interval';
ALTER TABLE agreements ADD COLUMN critical_error_max DOUBLE;
ALTER TABLE agreements ADD COLUMN qa_min_n INTEGER;
ALTER TABLE agreements ADD COLUMN critical_error_min_n INTEGER;
ALTER TABLE agreements ADD COLUMN fcr_min_n INTEGER;
ALTER TABLE agreements ADD COLUMN transfer_back_min_n INTEGER;
ALTER TABLE agreements ADD COLUMN csat_min_n INTEGER;
ALTER TABLE agreements ADD COLUMN nps_min_n INTEGER;

-- QA items: is_fatal fails the whole evaluation (score 0); is_critical alone is reported (the
-- critical-error rate) and weighted like any item. Before this version every critical item zeroed its
-- evaluation, so NULL (the items held, files without the column) means "as is_critical" and their
-- scores stay.
-- position: the item's line in its file, so sections are shown in the form's order (NULL for items
-- imported before: those sort by name).
ALTER TABLE qa_items ADD COLUMN is_fatal BOOLEAN;
ALTER TABLE qa_items ADD COLUMN position BIGINT;

-- Who scored an evaluation: 'centre' (the centre's evaluators) or 'partner' (the partner's own QA),
-- for the sampling view's share and its warning; NULL where the file does not say.
ALTER TABLE qa_evaluations ADD COLUMN scored_by VARCHAR;  -- 'centre' or 'partner' (the importer's choice column)
