-- SQL of retention, erasure and a customer's export (data/privacy.py, docs/privacy.md). $before is
-- the retention horizon (a UTC instant: rows older than it are purged), $customer a stored
-- pseudonym (customer_pseudonym), $number the number as the request gave it.

-- name: count_legs
-- Returns the legs offered before $before that still hold a customer or agent id.
SELECT count(*) FROM call_legs WHERE offered_at < $before AND (customer_id IS NOT NULL OR agent_id IS NOT NULL);

-- name: purge_legs
-- De-identifies those legs: the figures read the rollups and detail aggregates (and the journeys
-- the legs themselves), none of which needs who called or who answered.
UPDATE call_legs SET customer_id = NULL, agent_id = NULL
WHERE offered_at < $before AND (customer_id IS NOT NULL OR agent_id IS NOT NULL);

-- name: count_customer_calls
-- Returns the customer_calls rows (pseudonyms kept for finding repeat calls) offered before $before.
SELECT count(*) FROM customer_calls WHERE offered_at < $before;

-- name: purge_customer_calls
-- Deletes them: repeat_gaps already holds their repeat days, and an import only looks 90 days back.
DELETE FROM customer_calls WHERE offered_at < $before;

-- name: count_pending
-- Returns the kept queue_log lines of imports that finished before $before (their other file never came).
SELECT count(*) FROM queue_log_pending p JOIN import_batches b USING (batch_id) WHERE b.finished_at < $before;

-- name: purge_pending
-- Deletes them.
DELETE FROM queue_log_pending WHERE batch_id IN (SELECT batch_id FROM import_batches WHERE finished_at < $before);

-- name: count_surveys
-- Returns the survey answers given before $before that still hold a call id or the tool's answer id.
SELECT count(*) FROM survey_answers WHERE answered_at < $before AND NOT starts_with(answer_id, 'purged:');

-- name: purge_surveys
-- Unlinks them from the call and the survey tool: the scale and score stay for CSAT and NPS.
UPDATE survey_answers SET call_id = NULL, answer_id = 'purged:' || md5(answer_id)
WHERE answered_at < $before AND NOT starts_with(answer_id, 'purged:');

-- name: count_qa
-- Returns the QA evaluations made before $before that still name an agent or a call.
SELECT count(*) FROM qa_evaluations WHERE evaluated_at < $before AND (agent_id IS NOT NULL OR call_id IS NOT NULL);

-- name: purge_qa
-- Removes the agent and call ids: the items' points stay for the QA figures.
UPDATE qa_evaluations SET agent_id = NULL, call_id = NULL
WHERE evaluated_at < $before AND (agent_id IS NOT NULL OR call_id IS NOT NULL);

-- name: count_rejected
-- Returns the rejected rows (their raw text) of imports that finished before $before.
SELECT count(*) FROM rejected_rows r JOIN import_batches b USING (batch_id) WHERE b.finished_at < $before;

-- name: purge_rejected
-- Deletes them; the import's counts stay in import_batches.
DELETE FROM rejected_rows WHERE batch_id IN (SELECT batch_id FROM import_batches WHERE finished_at < $before);

-- name: count_audit
-- Returns the audit log lines logged before $before.
SELECT count(*) FROM audit_log WHERE logged_at < $before;

-- name: purge_audit
-- Deletes them.
DELETE FROM audit_log WHERE logged_at < $before;

-- name: customer_legs
-- Returns the legs of customer $customer, as an export shows them (the agent who answered is
-- another person's data and is left out).
SELECT q.name AS queue, l.call_id, l.journey_id, CAST(l.offered_at AS VARCHAR) AS offered_at_utc, l.outcome, l.wait_s, l.talk_s, l.transferred_to
FROM call_legs l JOIN queues q USING (queue_id)
WHERE l.customer_id = $customer
ORDER BY l.offered_at, q.name, l.call_id;

-- name: customer_surveys
-- Returns the survey answers given on the calls of customer $customer.
SELECT q.name AS queue, s.call_id, CAST(s.answered_at AS VARCHAR) AS answered_at_utc, s.scale, s.score
FROM survey_answers s JOIN queues q USING (queue_id)
WHERE s.call_id IN (SELECT call_id FROM call_legs WHERE customer_id = $customer)
ORDER BY s.answered_at;

-- name: customer_pending
-- Returns the queue_log lines kept for a later file that hold customer $customer's pseudonym.
SELECT queue, call_id, line_no, raw FROM queue_log_pending WHERE contains(raw, $customer) ORDER BY ALL;

-- name: customer_rejected
-- Returns the rejected rows whose raw text holds the number $number as written.
SELECT batch_id, file_name, line_no, raw, reason FROM rejected_rows WHERE contains(raw, $number) ORDER BY ALL;

-- name: erase_surveys
-- Deletes the survey answers given on the calls of customer $customer (before their legs lose the id).
DELETE FROM survey_answers WHERE call_id IN (SELECT call_id FROM call_legs WHERE customer_id = $customer);

-- name: erase_legs
-- Takes customer $customer's id off their legs: the legs stay counted in every figure, but no longer
-- as anyone's (repeat_gaps keeps the FCR counts already made).
UPDATE call_legs SET customer_id = NULL WHERE customer_id = $customer;

-- name: erase_customer_calls
-- Deletes customer $customer's rows of customer_calls.
DELETE FROM customer_calls WHERE customer_id = $customer;

-- name: erase_pending
-- Takes customer $customer's pseudonym out of the kept queue_log lines (the leg still joins its other file).
UPDATE queue_log_pending SET raw = replace(raw, $customer, '') WHERE contains(raw, $customer);

-- name: erase_rejected
-- Blanks the number $number in rejected rows' raw text.
UPDATE rejected_rows SET raw = replace(raw, $number, '[erased]') WHERE contains(raw, $number);
