-- Four partners with QA evaluations of one item (10 points) in ISO week 2026-W10 (2-8 March), and a
-- fifth whose form has a critical and a fatal item. Expected statuses are worked out by hand in
-- tests/test_quality_evidence.py (agreement: qa_min 0.80, qa_min_n 5).
INSERT INTO partners (partner_id, name) VALUES (1, 'Met'), (2, 'Few'), (3, 'Missed'), (4, 'Unsure'), (5, 'Crit');
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'met', 1), (2, 'few', 2), (3, 'missed', 3),
    (4, 'unsure', 4), (5, 'crit', 5);

INSERT INTO qa_evaluations (evaluation_id, queue_id, evaluator, evaluated_at, batch_id)
SELECT 'E' || q || '-' || n, q, 'Eva', TIMESTAMPTZ '2026-03-03 10:00:00+00' + to_hours(n), 1
FROM (VALUES (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (2, 1), (2, 2), (2, 3), (2, 4),
             (3, 1), (3, 2), (3, 3), (3, 4), (3, 5), (4, 1), (4, 2), (4, 3), (4, 4), (4, 5),
             (5, 1), (5, 2), (5, 3), (5, 4)) AS t(q, n);

-- Met 9, 9, 10, 9, 8; Few the same but the last; Missed 5, 6, 5, 6, 5; Unsure 9, 7, 10, 6, 8 (of 10).
INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, is_critical)
SELECT 'E' || q || '-' || n, 'all', 'overall', points, 10, 1, FALSE, FALSE
FROM (VALUES (1, 1, 9), (1, 2, 9), (1, 3, 10), (1, 4, 9), (1, 5, 8), (2, 1, 9), (2, 2, 9), (2, 3, 10), (2, 4, 8),
             (3, 1, 5), (3, 2, 6), (3, 3, 5), (3, 4, 6), (3, 5, 5), (4, 1, 9), (4, 2, 7), (4, 3, 10), (4, 4, 6),
             (4, 5, 8)) AS t(q, n, points);

-- Crit: a critical item (verify identity, 1 point, weight 2, reported only) and a fatal one (no data to
-- the wrong person, 1 point, weight 2) beside 'solution' (8 of 10). E5-1 all right; E5-2 misses the
-- critical item; E5-3 misses the fatal one; E5-4 a file of the old layout (is_fatal NULL): its critical
-- item missed is fatal, as before is_fatal existed.
INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, is_critical, is_fatal) VALUES
 ('E5-1', 'solution', 'right', 8, 10, 1, FALSE, FALSE, FALSE),
 ('E5-1', 'identity', 'verified', 1, 1, 2, FALSE, TRUE, FALSE),
 ('E5-1', 'privacy', 'no disclosure', 1, 1, 2, FALSE, TRUE, TRUE),
 ('E5-2', 'solution', 'right', 8, 10, 1, FALSE, FALSE, FALSE),
 ('E5-2', 'identity', 'verified', 0, 1, 2, FALSE, TRUE, FALSE),
 ('E5-2', 'privacy', 'no disclosure', 1, 1, 2, FALSE, TRUE, TRUE),
 ('E5-3', 'solution', 'right', 8, 10, 1, FALSE, FALSE, FALSE),
 ('E5-3', 'identity', 'verified', 1, 1, 2, FALSE, TRUE, FALSE),
 ('E5-3', 'privacy', 'no disclosure', 0, 1, 2, FALSE, TRUE, TRUE),
 ('E5-4', 'solution', 'right', 8, 10, 1, FALSE, FALSE, NULL),
 ('E5-4', 'identity', 'verified', 0, 1, 2, FALSE, TRUE, NULL);
