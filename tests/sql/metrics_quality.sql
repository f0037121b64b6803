-- Partner Acme (queue 'acme', Europe/Stockholm, open Tuesdays 08:00-12:00 local) and in-house 'house'.
-- Expected values are worked out by hand in tests/test_metrics_quality.py.
INSERT INTO partners (partner_id, name) VALUES (1, 'Acme');
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL), (2, 'acme', 1);
INSERT INTO hours_versions (partner_id, valid_from) VALUES (1, '2026-01-01');
INSERT INTO opening_hours SELECT version_id, 2, '08:00', '12:00' FROM hours_versions;

-- Legs of ISO week 2026-W10 (2 - 8 March) and one of W11.
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, customer_id, transferred_to, batch_id) VALUES
 (2, 'f1', '2026-03-03 10:00:00+00', 'answered',   30, 100, 'K1', NULL,    1), -- Tue 11:00 local, inside hours, missed T
 (1, 'f2', '2026-03-10 10:00:00+00', 'answered',    5, 100, 'K1', NULL,    1), -- K1 again exactly 7 days later
 (2, 'f3', '2026-03-04 09:00:00+00', 'answered',   10, 100, 'K2', NULL,    1),
 (1, 'f3b','2026-03-11 09:00:01+00', 'answered',    5, 100, 'K2', NULL,    1), -- K2 again 7 days + 1 s later
 (1, 'f4', '2026-03-05 08:00:00+00', 'overflowed', 30, NULL, 'K3', NULL,   1), -- K3's call overflows ...
 (2, 'f4', '2026-03-05 08:00:30+00', 'answered',   25, 100, 'K3', NULL,    1), -- ... and Acme answers it
 (2, 'f5', '2026-03-05 09:00:00+00', 'answered',    5, 100, NULL, NULL,    1), -- no customer id
 (2, 'f6', '2026-03-06 12:00:00+00', 'answered',   40, 100, 'K4', 'house', 1), -- transferred back
 (1, 'f7', '2026-03-06 12:30:00+00', 'abandoned',  50, NULL, 'K4', NULL,   1), -- K4 again 30 min later
 (2, 'f8', '2026-03-03 08:00:00+00', 'answered',    3, 100, NULL, NULL,    1), -- Tue 09:00 local, inside, met
 (2, 'f9', '2026-03-03 11:00:00+00', 'answered',    0, 100, NULL, NULL,    1); -- Tue 12:00 local: closed

INSERT INTO forecasts VALUES (1, '2026-03-02', 4, NULL);
INSERT INTO staffing VALUES (2, '2026-03-03 10:00:00+00', 30, 15, 1), (2, '2026-03-03 10:15:00+00', 30, 30, 1);

INSERT INTO qa_evaluations (evaluation_id, queue_id, evaluator, evaluated_at, is_calibration, calibration_session, is_agreed, batch_id) VALUES
 ('E1', 2, 'Eva',   '2026-03-03 10:00:00+00', FALSE, NULL, FALSE, 1),
 ('E2', 2, 'Eva',   '2026-03-04 10:00:00+00', FALSE, NULL, FALSE, 1),
 ('E3', 2, 'Bo',    '2026-03-04 11:00:00+00', FALSE, NULL, FALSE, 1),
 ('E4', 2, 'Eva',   '2026-03-05 10:00:00+00', TRUE,  'S1', FALSE, 1),
 ('E5', 2, 'Bo',    '2026-03-05 10:00:00+00', TRUE,  'S1', FALSE, 1),
 ('E6', 2, 'panel', '2026-03-05 10:00:00+00', TRUE,  'S1', TRUE,  1),
 ('E7', 2, 'Eva',   '2026-03-06 10:00:00+00', TRUE,  'S2', FALSE, 1),
 ('E8', 2, 'Bo',    '2026-03-06 10:00:00+00', TRUE,  'S2', FALSE, 1),
 ('E9', 2, 'Cy',    '2026-03-06 10:00:00+00', TRUE,  'S2', FALSE, 1);
INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, is_critical) VALUES
 ('E1', 'greeting', 'name',    2,    2, 1, FALSE, FALSE),
 ('E1', 'solution', 'right',   3,    5, 2, FALSE, FALSE),
 ('E1', 'closing',  'summary', NULL, 5, 3, TRUE,  FALSE),
 ('E1', 'privacy',  'id-check',1,    1, 1, FALSE, TRUE),
 ('E2', 'greeting', 'name',    1,    2, 1, FALSE, FALSE),
 ('E2', 'privacy',  'id-check',0,    1, 1, FALSE, TRUE),
 ('E3', 'greeting', 'name',    NULL, 2, 1, TRUE,  FALSE),
 ('E4', 'greeting', 'name',    2,    2, 1, FALSE, FALSE),
 ('E4', 'solution', 'right',   4,    5, 2, FALSE, FALSE),
 ('E5', 'greeting', 'name',    1,    2, 1, FALSE, FALSE),
 ('E5', 'solution', 'right',   5,    5, 2, FALSE, FALSE),
 ('E6', 'greeting', 'name',    2,    2, 1, FALSE, FALSE),
 ('E6', 'solution', 'right',   5,    5, 2, FALSE, FALSE),
 ('E7', 'greeting', 'name',    1,    2, 1, FALSE, FALSE),
 ('E8', 'greeting', 'name',    2,    2, 1, FALSE, FALSE),
 ('E9', 'greeting', 'name',    2,    2, 1, FALSE, FALSE);

INSERT INTO survey_answers (answer_id, queue_id, answered_at, scale, score, batch_id) VALUES
 ('c1', 2, '2026-03-03 12:00:00+00', 'csat', 5, 1), ('c2', 2, '2026-03-03 12:00:00+00', 'csat', 4, 1),
 ('c3', 2, '2026-03-03 12:00:00+00', 'csat', 3, 1), ('c4', 2, '2026-03-03 12:00:00+00', 'csat', 1, 1),
 ('n1', 2, '2026-03-04 12:00:00+00', 'nps', 10, 1), ('n2', 2, '2026-03-04 12:00:00+00', 'nps', 9, 1),
 ('n3', 2, '2026-03-04 12:00:00+00', 'nps', 9, 1),  ('n4', 2, '2026-03-04 12:00:00+00', 'nps', 8, 1),
 ('n5', 2, '2026-03-04 12:00:00+00', 'nps', 6, 1),  ('n6', 2, '2026-03-04 12:00:00+00', 'nps', 0, 1);
