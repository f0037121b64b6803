-- Schema version 3: corrections of saved meetings' minutes.
--
-- One row per edit, numbered per meeting from 1: the number of rows is the meeting's edit counter
-- (the page refuses an edit made on an older count), the newest row says when and by whom the
-- minutes were last edited, and `changes` says what changed. The frozen figures are never edited.
-- (A table of its own, not columns on meetings: DuckDB cannot ALTER a table other tables reference.)
CREATE TABLE meeting_edits (
    meeting_id INTEGER NOT NULL REFERENCES meetings (meeting_id),
    edit_no    INTEGER NOT NULL,
    edited_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    edited_by  VARCHAR NOT NULL,
    changes    VARCHAR NOT NULL,
    PRIMARY KEY (meeting_id, edit_no)
);
