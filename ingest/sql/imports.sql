-- What the imports did: read by ingest/reads.py for the Data page and the CLI.

-- name: import_history
-- Returns one row per import batch, newest first: when, what file, and where every row went
-- (read = imported + duplicates + filtered + rejected).
SELECT batch_id, timezone($tz, finished_at) AS finished, kind, profile, file_name, imported_by,
       read, imported, duplicates, filtered, rejected, filtered_by, notes
FROM import_batches
ORDER BY batch_id DESC
LIMIT $limit;

-- name: rejected_rows
-- Returns the rejected rows of one batch (or of all batches when $batch_id is NULL), newest batch
-- first and by line, with the reason a person can act on and the raw line.
SELECT batch_id, file_name, line_no, reason, raw
FROM rejected_rows
WHERE $batch_id::INTEGER IS NULL OR batch_id = $batch_id::INTEGER
ORDER BY batch_id DESC, line_no
LIMIT $limit;

-- name: queue_log_waiting
-- Returns one row per queue_log leg whose lines wait in queue_log_pending for their other file
-- (see data/migrations/0005_queue_log_pending.sql), oldest first event first: its queue and call
-- id; the file and line where its lines were first kept (the earliest batch, its first line) and
-- when that import finished, in $tz; its earliest event time in $tz; the whole seconds waited from
-- that import to $now; and the half that is missing: 'start' (no ENTERQUEUE: an earlier file),
-- 'end' (no end event: a later file) or 'start and end' (a middle part of a very long call).
-- $start and $ends are the profile's event names (ingest/profiles/queue_log.py).
WITH lines AS (
    SELECT p.queue, p.call_id, p.line_no, p.file_name, p.batch_id,
           TRY_CAST(trim(split_part(p.raw, '|', 1)) AS DOUBLE) AS epoch,
           upper(trim(split_part(p.raw, '|', 5))) AS event
    FROM queue_log_pending p
), legs AS (
    SELECT queue, call_id,
           first(batch_id ORDER BY batch_id, line_no) AS batch_id,
           first(file_name ORDER BY batch_id, line_no) AS file_name,
           first(line_no ORDER BY batch_id, line_no) AS line_no,
           min(epoch) AS first_epoch,
           bool_or(event = $start) AS has_start,
           bool_or(list_contains($ends::VARCHAR[], event)) AS has_end
    FROM lines
    GROUP BY queue, call_id
)
SELECT l.queue, l.call_id, l.file_name AS file, l.line_no AS line,
       timezone($tz, to_timestamp(l.first_epoch)) AS first_event,
       date_trunc('second', timezone($tz, b.finished_at)) AS kept_at,
       CAST(floor(epoch($now::TIMESTAMPTZ) - epoch(b.finished_at)) AS BIGINT) AS waited_s,
       CASE WHEN l.has_start THEN 'end' WHEN l.has_end THEN 'start' ELSE 'start and end' END AS missing
FROM legs l
LEFT JOIN import_batches b USING (batch_id)
ORDER BY l.first_epoch, l.queue, l.call_id;
