"""The hostile-input corpus (tests/hostile_corpus.py): every file ends in one line or in counted,
reasoned rejects, never a traceback, never a lost record; and the pieces around it (queue_log's kept
lines, the limits' documentation, a damaged database, the CLI's own words)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from data import settings, store
from data.errors import UserError
from ingest.importing import import_file
from tests.conftest import ROOT
from tests.hostile_corpus import CASES, EPOCH, Case, Loaded, Refused


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for case in CASES:
        case.build(folder / case.name)
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_file_ends_in_one_line_or_in_counted_rejects(case: Case, built, db):
    path = built / case.name
    if isinstance(case.expected, Refused):
        with pytest.raises(UserError) as refused:
            import_file(path, profile=case.profile, db=db)
        message = str(refused.value)
        assert "\n" not in message and len(message) < 400, message
        assert re.search(case.expected.pattern, message.replace(str(path), "")), message
        assert store.query("SELECT count(*) FROM import_batches", path=db).scalar() == 0
        return
    expected: Loaded = case.expected
    summary = import_file(path, profile=case.profile, db=db)
    assert (summary.read, summary.imported, summary.rejected, summary.filtered) == (
        expected.read, expected.imported, expected.rejected, expected.filtered)
    rejects = dict(store.query("SELECT line_no, reason FROM rejected_rows WHERE batch_id = ?",
                               [summary.batch_id], path=db).rows)
    assert set(rejects) == set(expected.rejects)
    for line, pattern in expected.rejects.items():
        assert re.search(pattern, rejects[line]), rejects[line]
    assert len(summary.notes) < 400


def test_the_too_long_record_keeps_its_start_and_says_its_size(built, db):
    summary = import_file(built / "long_record_40mb.csv", db=db)
    [(raw,)] = store.query("SELECT raw FROM rejected_rows WHERE batch_id = ?", [summary.batch_id], path=db).rows
    assert raw.startswith("BIG,Kundservice,,2026-11-02T09:03:00+00:00,answered,999")
    assert raw.endswith("… (40 MB in all)") and len(raw) < 1100


def test_unknown_columns_are_named_ten_at_a_time_in_the_note_and_the_audit_line(built, db):
    summary = import_file(built / "many_unknown_columns.csv", db=db)
    assert summary.notes == ("ignored unknown column(s): extra0, extra1, extra2, extra3, extra4, extra5, extra6, "
                             "extra7, extra8, extra9 and 890 more; created queue 'Kundservice' (in-house)")
    [(detail,)] = store.query("SELECT detail FROM audit_log WHERE action = 'import'", path=db).rows
    assert detail.endswith(summary.notes) and len(detail) < 400


def test_the_crowded_call_keeps_no_line_and_later_imports_read_only_what_they_complete(built, db, tmp_path):
    import_file(built / "crowded_call.log", profile="queue-log", db=db)
    assert store.query("SELECT count(*) FROM queue_log_pending", path=db).scalar() == 0
    # An unfinished call kept from one file, and a next file that does not continue it: the kept
    # lines are not parsed into this import (its notes count the leg waiting, its legs are its own).
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    first.write_text(f"{EPOCH}|OPEN.1|q1|NONE|ENTERQUEUE||0701|1\n")
    second.write_text(f"{EPOCH + 50}|NEW.1|q1|NONE|ENTERQUEUE||0702|1\n{EPOCH + 60}|NEW.1|q1|NONE|ABANDON|1|1|10\n")
    import_file(first, profile="queue-log", db=db)
    summary = import_file(second, profile="queue-log", db=db)
    assert (summary.read, summary.imported) == (1, 1)
    assert summary.notes == "1 leg(s) in all wait for their other file (table queue_log_pending)"
    ending = tmp_path / "ending.log"
    ending.write_text(f"{EPOCH + 30}|OPEN.1|q1|NONE|ABANDON|1|1|30\n")
    summary = import_file(ending, profile="queue-log", db=db)
    assert (summary.read, summary.imported) == (1, 1)
    assert store.query("SELECT count(*) FROM queue_log_pending", path=db).scalar() == 0


def test_an_import_never_reads_the_kept_lines_of_calls_it_does_not_continue(db, tmp_path, monkeypatch):
    """A call kept from an earlier file (here 5,000 lines, as a database from before the event limit
    may hold a million) is not read by an import that has no event of it."""
    first = tmp_path / "first.log"
    first.write_text(f"{EPOCH}|KEPT.1|q1|NONE|ENTERQUEUE||0701|1\n"
                     + "".join(f"{EPOCH + 1}|KEPT.1|q1|Agent/1|RINGNOANSWER|RAWMARK{i}\n" for i in range(5000)))
    import_file(first, profile="queue-log", db=db)
    assert store.query("SELECT count(*) FROM queue_log_pending", path=db).scalar() == 5001
    results = []
    execute = store.execute

    def recorded(*args, **kwargs):
        result = execute(*args, **kwargs)
        results.append(repr(result.rows))
        return result

    monkeypatch.setattr(store, "execute", recorded)
    later = tmp_path / "later.log"
    later.write_text(f"{EPOCH + 50}|NEW.1|q1|NONE|ENTERQUEUE||0702|1\n{EPOCH + 60}|NEW.1|q1|NONE|ABANDON|1|1|10\n")
    assert import_file(later, profile="queue-log", db=db).imported == 1
    assert results and not any("RAWMARK" in rows for rows in results)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, db, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("call_id,queue,partner,offered_at,outcome,wait_s\n" + "x" * 5000)
    monkeypatch.setitem(settings._LIMITS, "max_file_bytes", 4096)
    with pytest.raises(UserError, match=r"big.csv: the file is 5,048 bytes, more than the 4,096 bytes an import reads"):
        import_file(path, db=db)


def test_every_input_limit_is_documented():
    security = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert [limit.name for limit in settings.INPUT_LIMITS if f"`{limit.name}`" not in security] == []


def test_the_cli_says_a_hostile_file_and_a_damaged_database_in_one_line(built, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)

    db = tmp_path / "cli.duckdb"
    done = run("import", str(built / "nested_queue.parquet"), "--db", str(db))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "hold nested values" in done.stderr

    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00" * 4096 + b"not a database" * 1000)
    done = run("import", str(built / "long_field.csv"), "--db", str(damaged))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "is damaged or is not an Overflow SLA database" in done.stderr
