-- One answered leg (wait 10 s) at minute 10 of every UTC hour around both 2026 DST days in
-- Europe/Stockholm, in the in-house queue 'house'.
-- Spring: 2026-03-28 22:10Z .. 2026-03-29 23:10Z (26 legs). Local 2026-03-29 runs
--   2026-03-28 23:00Z .. 2026-03-29 22:00Z (23 h): 23 legs; 1 leg on the 28th, 2 on the 30th.
-- Autumn: 2026-10-24 21:10Z .. 2026-10-25 23:10Z (27 legs). Local 2026-10-25 runs
--   2026-10-24 22:00Z .. 2026-10-25 23:00Z (25 h): 25 legs; 1 leg on the 24th, 1 on the 26th.
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id)
SELECT 1, 'spring-' || i, TIMESTAMPTZ '2026-03-28 22:10:00+00' + i * INTERVAL '1 hour', 'answered', 10, 60, 1
FROM range(0, 26) t(i);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id)
SELECT 1, 'autumn-' || i, TIMESTAMPTZ '2026-10-24 21:10:00+00' + i * INTERVAL '1 hour', 'answered', 10, 60, 1
FROM range(0, 27) t(i);
