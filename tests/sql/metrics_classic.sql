-- The classic averaging error (DOMAIN.md), all legs answered in the in-house queue 'house':
-- interval 2026-02-02 08:00Z: 1,092 legs, 721 within T (66.0 %);
-- interval 2026-02-02 08:15Z:    74 legs,  36 within T (48.6 %).
-- Together 757 / 1,166 = 64.9 % (65 %), not the 57.5 % (58 %) an average of the two gives.
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id)
SELECT 1, 'a-' || i, TIMESTAMPTZ '2026-02-02 08:00:00+00' + i * INTERVAL '0.5 seconds', 'answered',
       CASE WHEN i < 721 THEN 5 ELSE 60 END, 100, 1
FROM range(0, 1092) t(i);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id)
SELECT 1, 'b-' || i, TIMESTAMPTZ '2026-02-02 08:15:00+00' + i * INTERVAL '1 second', 'answered',
       CASE WHEN i < 36 THEN 20 ELSE 21 END, 100, 1
FROM range(0, 74) t(i);
