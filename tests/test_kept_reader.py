"""One read-only connection kept between reads (data/store.py, issue 22): what it remembers serves
every later read, and it never shows a file as it was before a write, nor keeps a writer out.

Writers in other processes are real processes (`python -m cli import`, `python -m cli upgrade`, a
small writer script), each told to give up after OVERFLOW_LOCK_WAIT_S = 20 s: an idle kept
connection that is never let go would keep them out that long, and they would fail."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from data import settings, store
from metrics import reads
from tests.conftest import ROOT, old_database
from tests.importing_helpers import register_partners

HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
GIVE_UP_S = "20"  # a writer's OVERFLOW_LOCK_WAIT_S: it fails if the file is not let go by then


def legs_file(path: Path, prefix: str, n: int) -> Path:
    """`n` answered legs of FlexiCall's queue on 2 and 3 November 2026, call ids starting with `prefix`."""
    rows = [f"{prefix}{i},Flexi,FlexiCall,2026-11-0{2 + i % 2}T09:{i:02d}:00+00:00,answered,5,60,0,5,A1,07012345{i:02d}"
            for i in range(n)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def in_another_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, text=True,
                            env={**os.environ, "OVERFLOW_LOCK_WAIT_S": GIVE_UP_S},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def cli_import(path: Path, db: Path) -> subprocess.Popen:
    return in_another_process("-m", "cli", "import", str(path), "--format", "json", "--db", str(db))


def add_partner_elsewhere(db: Path, name: str) -> subprocess.Popen:
    """Another process that adds a partner in one write."""
    return in_another_process("-c", "import sys\nfrom data import store\nwith store.writing(sys.argv[1]) as con:\n"
                                    "    store.execute(con, 'INSERT INTO partners (name) VALUES (?)', [sys.argv[2]])\n",
                              str(db), name)


def seen(db: Path) -> tuple[int, int]:
    """(data version, legs the Data page's freshness table counts), read as a page reads them."""
    with store.reading(db) as con:
        return store.data_version(con), int(reads.freshness(con, "Europe/Stockholm")["legs"].sum())


def partner_names(db: Path) -> list[str]:
    return [name for (name,) in store.query("SELECT name FROM partners ORDER BY name", path=db).rows]


def test_reads_share_one_connection_and_its_answers_until_a_write(db, statements):
    with store.reading(db) as first:
        assert settings.get(first, "sl_threshold_s") == "20"
    with store.reading(db) as again:  # another page run, no run at all: the same open file
        assert again is first
        assert settings.get(again, "sl_threshold_s") == "20"
    assert statements.count("SELECT name, value FROM settings") == 1
    with store.writing(db) as con:
        settings.put(con, "sl_threshold_s", "30")
    with store.reading(db) as after:  # the write closed it and dropped what it remembered
        assert after is not first
        assert settings.get(after, "sl_threshold_s") == "30"
    assert statements.count("SELECT name, value FROM settings") == 2  # the writer's put reads nothing


def test_an_import_in_another_process_gets_in_while_the_app_holds_the_file_idle(db, tmp_path):
    register_partners(db, ["FlexiCall"])
    first = cli_import(legs_file(tmp_path / "a.csv", "A", 2), db)
    assert json.loads(first.communicate(timeout=120)[0])["imported"] == 2
    version, legs = seen(db)
    assert legs == 2
    with store.reading(db) as con:
        kept = con
    process = cli_import(legs_file(tmp_path / "b.csv", "B", 3), db)  # the app is idle: no page run, no read
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert json.loads(out)["imported"] == 3
    with store.reading(db) as con:
        assert con is not kept
    newer, legs = seen(db)
    assert newer > version
    assert legs == 5


def test_a_page_run_in_progress_finishes_on_one_version_before_a_writer_gets_in(db):
    register_partners(db, ["Alpha"])
    with store.one_reader():
        before = store.query("SELECT version FROM data_version", path=db).scalar()
        writer = add_partner_elsewhere(db, "Beta")
        marker = db.with_name(db.name + ".writer-waiting")
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:  # the writer waits for this run
            time.sleep(0.02)
        assert marker.exists(), writer.stderr.read() if writer.poll() is not None else "the writer never waited"
        time.sleep(3 * store.WATCH_S)  # the watcher has looked: it leaves a connection a run uses alone
        assert writer.poll() is None
        assert store.query("SELECT version FROM data_version", path=db).scalar() == before
        assert partner_names(db) == ["Alpha"]
    assert writer.wait(timeout=60) == 0, writer.stderr.read()
    assert partner_names(db) == ["Alpha", "Beta"]
    assert store.query("SELECT version FROM data_version", path=db).scalar() == before + 1


def test_a_run_that_starts_while_a_writer_waits_reads_after_the_write(db):
    register_partners(db, ["Alpha"])
    with store.reading(db):
        pass
    with store.one_reader():
        assert partner_names(db) == ["Alpha"]  # a run in progress holds the file
        writer = add_partner_elsewhere(db, "Beta")
        marker = db.with_name(db.name + ".writer-waiting")
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    with store.one_reader():  # the writer was waiting when this run began: it reads what was written
        assert partner_names(db) == ["Alpha", "Beta"]
    assert writer.wait(timeout=60) == 0, writer.stderr.read()


def test_an_upgrade_in_another_process_gets_in_and_the_next_read_sees_the_new_schema(tmp_path):
    newest = store.migrations()[-1][0]
    path = old_database(tmp_path / "old.duckdb", newest - 2)
    with store.reading(path) as con:
        assert store.schema_version(con) == newest - 2
    upgrade = in_another_process("-m", "cli", "upgrade", "--db", str(path))
    out, err = upgrade.communicate(timeout=300)
    assert upgrade.returncode == 0, err
    with store.reading(path) as con:
        assert store.schema_version(con) == newest


def test_a_file_put_in_place_of_the_kept_one_is_read_at_once(db, tmp_path):
    register_partners(db, ["Old"])
    assert partner_names(db) == ["Old"]
    other = tmp_path / "other.duckdb"
    register_partners(other, ["New", "Newer"])
    os.replace(other, db)  # as store.rewrite does, or a restored backup
    assert partner_names(db) == ["New", "Newer"]


def test_a_file_deleted_under_the_app_is_said_and_a_new_one_is_read(db):
    register_partners(db, ["Gone"])
    assert partner_names(db) == ["Gone"]
    db.unlink()
    with pytest.raises(store.StoreError, match="there is no database at"):
        partner_names(db)
    store.create(db)
    assert partner_names(db) == []


def test_a_rewrite_in_the_process_lets_go_first_and_keeps_the_rows(db):
    register_partners(db, ["Kept"])
    assert partner_names(db) == ["Kept"]
    store.rewrite(db)
    assert partner_names(db) == ["Kept"]


def test_sessions_in_threads_read_through_the_kept_connection_while_the_process_writes(db):
    """Four page runs in threads read the partners over and over while this thread adds them one by
    one: every run sees one whole list (a prefix of the names added), never an error."""
    names = [f"P{i:02d}" for i in range(12)]
    seen_lists: list[list[str]] = []
    errors: list[str] = []
    done = threading.Event()

    def session() -> None:
        try:
            while not done.is_set():
                with store.one_reader():
                    seen_lists.append(partner_names(db))
                    seen_lists.append(partner_names(db))
        except Exception as error:  # noqa: BLE001 - what this test looks for
            errors.append(repr(error))

    threads = [threading.Thread(target=session) for _ in range(4)]
    for thread in threads:
        thread.start()
    for name in names:
        register_partners(db, [name])
    done.set()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert seen_lists and all(names[:len(listed)] == listed for listed in seen_lists)
    assert partner_names(db) == names


def test_a_kept_connection_remembers_the_recent_answers_within_its_bound(monkeypatch):
    monkeypatch.setattr(store, "MEMO_ROWS", 5)
    monkeypatch.setattr(store, "MEMO_ONE", 3)
    memo = store._Memo()
    rows = [store.Result(["n"], [(i,) for i in range(size)]) for size in (2, 2, 4, 2)]
    memo.put(("a",), rows[0])
    memo.put(("b",), rows[1])
    memo.put(("too big",), rows[2])      # more rows than one answer may hold: not remembered
    assert memo.get(("a",)) is rows[0]   # asked again: now the most recent
    memo.put(("c",), rows[3])            # 6 rows > 5: the least recently asked (b) is forgotten
    assert ("too big",) not in memo and ("b",) not in memo
    assert memo.get(("a",)) is rows[0] and memo.get(("c",)) is rows[3]


def test_the_kept_connections_memory_is_capped_as_configured(db):
    """OVERFLOW_READER_MEMORY_LIMIT (README) is the kept reader's memory_limit; a writer keeps its own."""
    script = ("import sys\nfrom data import store\nwith store.reading(sys.argv[1]) as con:\n"
              "    print(store.execute(con, \"SELECT current_setting('memory_limit')\").scalar())\n"
              "with store.writing(sys.argv[1]) as con:\n"
              "    print(store.execute(con, \"SELECT current_setting('memory_limit')\").scalar())\n")
    env = {k: v for k, v in os.environ.items() if k != "OVERFLOW_MEMORY_LIMIT"}
    limited = subprocess.run([sys.executable, "-c", script, str(db)], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, env={**env, "OVERFLOW_READER_MEMORY_LIMIT": "300MB"})
    reader, writer = limited.stdout.split("\n")[:2]
    assert reader == "286.1 MiB", limited.stderr  # 3 * 10^8 bytes, as DuckDB prints it
    assert writer != reader
    default = subprocess.run([sys.executable, "-c", script, str(db)], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, env={k: v for k, v in env.items() if k != "OVERFLOW_READER_MEMORY_LIMIT"})
    assert default.stdout.split("\n")[0] == "244.1 MiB", default.stderr  # the default, 256 * 10^6 bytes


def test_a_read_inside_a_read_of_another_file_or_while_a_writer_waits_keeps_the_outer_one_open(db, tmp_path):
    register_partners(db, ["Outer"])
    other = tmp_path / "other.duckdb"
    register_partners(other, ["Inner"])
    with store.reading(db) as outer:
        assert partner_names(other) == ["Inner"]  # its own connection, closed at its end
        db.with_name(db.name + ".writer-waiting").touch()  # as a writer in another process would
        assert partner_names(db) == ["Outer"]      # the outer block's connection, not let go under it
        assert store.execute(outer, "SELECT name FROM partners").rows == [("Outer",)]
    db.with_name(db.name + ".writer-waiting").unlink()
    assert partner_names(db) == ["Outer"]


def test_a_query_that_reads_the_clock_is_run_again_on_the_kept_connection(db, statements):
    """The alert outbox counts a `sending` row of the last quarter hour (notify/sql/alerts.sql): an
    answer remembered while the connection stays open would never see that quarter hour pass."""
    clocked = "SELECT count(*) FROM data_version WHERE changed_at > now() - INTERVAL 15 MINUTE"
    plain = "SELECT count(*) FROM data_version"
    for _ in range(2):
        with store.reading(db) as con:
            store.execute(con, clocked)
            store.execute(con, plain)
    assert statements.count(clocked) == 2
    assert statements.count(plain) == 1
