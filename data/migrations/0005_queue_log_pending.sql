-- Schema version 5: queue_log lines of legs that one file could not finish.
--
-- Asterisk rotates queue_log (daily, typically): a call waiting or talking at that moment has its
-- ENTERQUEUE in one file and its end event in the next. A queue-log import keeps the lines of such
-- a leg here, in the import's own transaction; the import of a file holding the rest of the same
-- (queue, call_id), in either order, joins them into one leg and deletes them here.
-- Rows still here are legs waiting for their other file (batch notes say how many).
CREATE TABLE queue_log_pending (
    queue     VARCHAR NOT NULL,   -- queue name as the log writes it (the queue may not exist yet)
    call_id   VARCHAR NOT NULL,
    line_no   BIGINT NOT NULL,    -- line number in file_name
    raw       VARCHAR NOT NULL,   -- the line as read
    file_name VARCHAR NOT NULL,
    batch_id  INTEGER NOT NULL    -- the import that kept the line
);
