"""The store: migrations, the data version, all-or-nothing writes, and the one-writer rule."""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from data import store
from tests.conftest import ROOT


def test_new_file_gets_every_migration(db):
    with store.reading(db) as con:
        assert store.schema_version(con) == store.migrations()[-1][0]


def test_an_old_file_is_migrated_forward(tmp_path):
    path = tmp_path / "old.duckdb"
    first_version, first_file = store.migrations()[0]
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
    con.execute(first_file.read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version VALUES (?, now())", [first_version])
    con.execute("INSERT INTO partners (name) VALUES ('Kept')")
    con.close()
    store.create(path)
    with store.reading(path) as con:
        assert store.schema_version(con) == store.migrations()[-1][0]
        assert con.execute("SELECT name FROM partners").fetchall() == [("Kept",)]


def test_a_failed_write_leaves_nothing_and_keeps_the_version(db):
    with store.reading(db) as con:
        before = store.data_version(con)
    with pytest.raises(RuntimeError):
        with store.writing(db) as con:
            con.execute("INSERT INTO partners (name) VALUES ('Half')")
            raise RuntimeError("stop halfway")
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM partners").fetchone()[0] == 0
        assert store.data_version(con) == before


def test_each_committed_write_bumps_the_data_version(db):
    with store.reading(db) as con:
        before = store.data_version(con)
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (name) VALUES ('A')")
    with store.reading(db) as con:
        assert store.data_version(con) == before + 1


def test_a_failed_statement_says_what_was_being_done_and_never_the_sql():
    con = store.connect()
    with pytest.raises(store.StoreError) as saving:
        store.execute(con, "INSERT INTO meetings_missing VALUES (?)", [1], what="save the meeting")
    assert str(saving.value) == ("cannot save the meeting: "
                                 "Catalog Error: Table with name meetings_missing does not exist!")
    with pytest.raises(store.StoreError) as many:
        store.execute_many(con, "INSERT INTO meetings_missing VALUES (?)", [(1,), (2,)])
    assert str(many.value).startswith("database error: Catalog Error: Table with name meetings_missing")
    assert "INSERT" not in str(saving.value) + str(many.value)


def test_a_result_gives_its_first_row_and_value():
    con = store.connect()
    found, nothing = store.execute(con, "SELECT 7, 8"), store.execute(con, "SELECT 1 WHERE false")
    assert (found.one(), found.scalar()) == ((7, 8), 7)
    assert (nothing.one(), nothing.scalar()) == (None, None)


def test_reading_a_missing_database_says_how_to_make_one(tmp_path):
    with pytest.raises(store.StoreError, match="python -m cli demo"):
        with store.reading(tmp_path / "none.duckdb"):
            pass


def _hold_the_write_lock(db, partner: str) -> subprocess.Popen:
    """Another process that adds `partner` and holds the write lock 1.5 s; it prints 'holding' first."""
    return subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from data import store\n"
            "with store.writing(sys.argv[1]) as con:\n"
            "    con.execute('INSERT INTO partners (name) VALUES (?)', [sys.argv[2]])\n"
            "    print('holding', flush=True); time.sleep(1.5)\n"
        ), str(db), partner],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )


def test_a_reader_waits_for_another_process_that_writes(db):
    """Another process holds the write lock for a while; our read waits and then sees its commit."""
    holder = _hold_the_write_lock(db, "Other")
    assert holder.stdout.readline().strip() == "holding"
    rows = store.query("SELECT name FROM partners", path=db).rows
    assert holder.wait(timeout=30) == 0
    assert rows == [("Other",)]


def test_a_write_into_a_staging_connection_waits_for_another_writer_then_commits(db):
    """The importer's path: the store is ATTACHed to its in-memory connection. It waits for a writer
    in another process, copies the staged rows in one transaction, and leaves the connection as it was."""
    holder = _hold_the_write_lock(db, "First")
    staging = duckdb.connect(":memory:")
    staging.execute("ATTACH ':memory:' AS stg")
    staging.execute("USE stg")
    staging.execute("CREATE TABLE names AS SELECT 'Second' AS name")
    assert holder.stdout.readline().strip() == "holding"
    with store.writing(db, into=staging) as con:
        con.execute("INSERT INTO partners (name) SELECT name FROM stg.names")
    assert holder.wait(timeout=30) == 0
    assert staging.execute("SELECT current_database()").fetchone()[0] == "stg"
    assert "store" not in {row[0] for row in staging.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    assert store.query("SELECT name FROM partners ORDER BY partner_id", path=db).rows == [("First",), ("Second",)]


def test_a_failed_write_into_a_staging_connection_leaves_nothing_and_detaches(db):
    staging = duckdb.connect(":memory:")
    with pytest.raises(RuntimeError):
        with store.writing(db, into=staging) as con:
            con.execute("INSERT INTO partners (name) VALUES ('Half')")
            raise RuntimeError("stop halfway")
    assert staging.execute("SELECT current_database()").fetchone()[0] == "memory"
    assert store.query("SELECT count(*) FROM partners", path=db).rows == [(0,)]
    with store.writing(db, into=staging) as con:  # the same connection can write again
        con.execute("INSERT INTO partners (name) VALUES ('Whole')")
    assert store.query("SELECT name FROM partners", path=db).rows == [("Whole",)]


def test_migration_numbers_are_unique_and_consecutive():
    """Two files with one number would both apply to a new file but only one to a file already at that
    number; helpers landing in parallel must take the next free number."""
    numbers = [version for version, _ in store.migrations()]
    assert numbers == list(range(1, len(numbers) + 1)), [path.name for _, path in store.migrations()]


def test_a_database_of_a_newer_version_is_refused_in_one_line(db, capsys):
    import cli

    newest = store.migrations()[-1][0]
    with store.writing(db) as con:
        store.execute(con, "INSERT INTO schema_version VALUES (?, now())", [newest + 1])
    message = (f"the database {db} was written by a newer version of Overflow SLA (schema {newest + 1}; "
               f"this version knows up to {newest}): update Overflow SLA to open it")
    with pytest.raises(store.StoreError) as read:
        with store.reading(db):
            pass
    assert str(read.value) == message
    with pytest.raises(store.StoreError, match="written by a newer version"):
        with store.writing(db):
            pass
    assert cli.main(["metrics", "--grain", "week", "--by", "partner", "--db", str(db)]) != 0
    assert capsys.readouterr().err.strip().endswith("update Overflow SLA to open it")


def test_overflow_memory_limit_caps_every_connection():
    """OVERFLOW_MEMORY_LIMIT (README) is DuckDB's memory_limit on each connection the store opens."""
    script = ("from data import store\n"
              "print(store.execute(store.connect(), \"SELECT current_setting('memory_limit')\").scalar())")
    limited = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "OVERFLOW_MEMORY_LIMIT": "1GB"})
    assert limited.stdout.strip() == "953.6 MiB", limited.stderr  # 10^9 bytes, as DuckDB prints it
    unset = {k: v for k, v in os.environ.items() if k != "OVERFLOW_MEMORY_LIMIT"}
    default = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env=unset)
    assert default.stdout.strip() not in ("", "953.6 MiB"), default.stderr
