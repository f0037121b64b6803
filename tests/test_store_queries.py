"""A read-only connection answers a query asked again from its first answer (store.execute), and
never an answer from before a write: a write in the process closes the held file, and the next
read opens it again and reads afresh."""
from __future__ import annotations

from data import audit, store

COUNT = "SELECT count(*) FROM audit_log WHERE actor = ?"


def test_a_query_asked_again_on_a_read_only_connection_is_answered_from_the_first(db):
    with store.reading(db) as con:
        first = store.execute(con, COUNT, ["reader@example.com"])
        assert store.execute(con, COUNT, ["reader@example.com"]) is first
        assert store.execute(con, COUNT, ["someone@example.com"]) is not first  # other values: another query
    with store.writing(db) as con:
        assert store.execute(con, COUNT, ["reader@example.com"]) is not store.execute(con, COUNT, ["reader@example.com"])


def test_a_write_in_the_process_is_seen_by_the_next_read_of_the_same_page_run(db):
    with store.one_reader():
        with store.reading(db) as con:
            assert store.execute(con, COUNT, ["reader@example.com"]).scalar() == 0
        audit.agent_view(db, "reader@example.com", "Acme", "a test")
        with store.reading(db) as con:
            assert store.execute(con, COUNT, ["reader@example.com"]).scalar() == 1
