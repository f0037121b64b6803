"""An upload through the Data page leaves no phone number behind (issue 21, docs/privacy.md): the
database file holds only pseudonyms, and the copy in uploads/ is removed after the import unless
retention_uploads_days keeps it."""
from __future__ import annotations

import duckdb

from data import settings, store
from tests.app.test_pages import open_page
from tests.app.test_upload_hostile import kept, upload
from tests.conftest import pseudonym

NUMBERS = ("+46701234591", "0701234592")
ROWS = ("call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
        f"U1,Support,,2026-11-02T09:00:00+00:00,answered,5,60,0,5,UPLOADMARKER9,{NUMBERS[0]}\n"
        f"U2,Support,,2026-11-02T10:00:00+00:00,answered,5,60,0,5,UPLOADMARKER9,{NUMBERS[1]}\n").encode()


def test_an_upload_leaves_no_number_in_the_file_or_the_uploads_folder(db):
    at = upload(open_page("app_pages/data.py"), "calls.csv", ROWS)
    assert not at.exception and not at.error
    assert kept(db) == []  # the copy went after the import
    assert sorted(store.query("SELECT customer_id FROM call_legs", path=db).rows) == sorted(
        [(pseudonym(n),) for n in NUMBERS])
    store.let_go(db)  # the app's kept read-only connection: DuckDB opens a file one way at a time in a process
    with duckdb.connect(str(db)) as con:
        con.execute("CHECKPOINT")
    content = db.read_bytes()
    assert b"UPLOADMARKER9" in content  # the search sees text stored as written
    assert not [n for n in NUMBERS if n.encode() in content]


def test_uploads_are_kept_as_long_as_the_setting_says(db):
    with store.writing(db) as con:
        settings.put(con, "retention_uploads_days", "7")
    upload(open_page("app_pages/data.py"), "calls.csv", ROWS)
    [copy] = kept(db)
    assert copy.read_bytes() == ROWS
