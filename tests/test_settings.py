"""Changing a setting through the CLI: checked values, one transaction, rollups rebuilt, an audit line."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from data import settings, store
from ingest.importing import import_file
from tests.conftest import ROOT

# Five answered in-house legs in one 15-minute interval, waits 5, 20, 25, 30 and 45 s.
LEGS = "call_id,queue,partner,offered_at,outcome,wait_s\n" + "".join(
    f"A{i},Kundservice,,2026-11-02T09:0{i}:00+00:00,answered,{wait}\n" for i, wait in enumerate((5, 20, 25, 30, 45))
)


def cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "OVERFLOW_DB": str(db)})


@pytest.fixture
def legs_db(db, tmp_path):
    path = tmp_path / "legs.csv"
    path.write_text(LEGS, encoding="utf-8")
    assert import_file(path, db=db).imported == 5
    return db


def rollup(db) -> tuple[int, int]:
    """(T used, answered within T) of the one rollup row."""
    return store.query("SELECT threshold_s, answered_within_threshold FROM interval_rollups", path=db).rows[0]


def test_a_new_default_threshold_rebuilds_the_rollups_in_the_same_write(legs_db):
    assert rollup(legs_db) == (20, 2)          # waits 5 and 20 are within 20 s
    done = cli("settings", "set", "sl_threshold_s", "30", db=legs_db)
    assert done.returncode == 0, done.stderr
    assert "sl_threshold_s: 20 -> 30" in done.stdout
    assert rollup(legs_db) == (30, 4)          # 5, 20, 25 and 30 are within 30 s
    audit = store.query("SELECT action, detail FROM audit_log ORDER BY logged_at DESC LIMIT 1", path=legs_db).rows
    assert audit == [("settings", "sl_threshold_s: 20 -> 30")]


def test_fcr_days_changes_nothing_in_the_rollups_and_setting_the_same_value_writes_nothing(legs_db):
    with store.reading(legs_db) as con:
        version = store.data_version(con)
    assert cli("settings", "set", "fcr_days", "14", db=legs_db).returncode == 0
    assert rollup(legs_db) == (20, 2)
    same = cli("settings", "set", "fcr_days", "14", db=legs_db)
    assert same.returncode == 0 and "already 14" in same.stdout
    with store.reading(legs_db) as con:
        assert settings.get(con, "fcr_days") == "14"
        assert store.data_version(con) == version + 1


@pytest.mark.parametrize(("name", "value", "line"), [
    ("sl_threshold_s", "abc", "error: sl_threshold_s: 'abc' is not a whole number from 0 to 3600"),
    ("fcr_days", "0", "error: fcr_days: '0' is not a whole number from 1 to 90"),
    ("reporting_tz", "Mars/Base", "error: unknown time zone 'Mars/Base'; use an IANA name such as Europe/Stockholm"),
    ("colour", "blue", "error: unknown setting 'colour'; choose one of: reporting_tz, language, sl_threshold_s, short_abandon_s, fcr_days, "
                        "retention_legs_months, retention_survey_months, retention_qa_months, retention_uploads_days, "
                        "retention_rejected_days, retention_audit_months"),
])
def test_a_bad_setting_is_one_line_and_changes_nothing(legs_db, name, value, line):
    done = cli("settings", "set", name, value, db=legs_db)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [line]
    with store.reading(legs_db) as con:
        assert [settings.get(con, s.name) for s in settings.SETTINGS] == [s.default for s in settings.SETTINGS]


def test_a_read_only_run_reads_every_setting_in_one_statement_and_a_write_is_seen_by_the_next_read(db, monkeypatch):
    statements = []
    run = store._run

    def counted(con, sql, params, what):
        if "settings" in sql:
            statements.append(" ".join(sql.split()))
        return run(con, sql, params, what)

    monkeypatch.setattr(store, "_run", counted)
    with store.writing(db) as con:
        settings.put(con, "sl_threshold_s", "30")
        settings.put(con, "language", "sv")
    statements.clear()
    with store.one_reader():
        with store.reading(db) as con:
            assert settings.get(con, "sl_threshold_s") == "30"
            assert settings.get(con, "short_abandon_s") == "5"        # not stored: its default
        with store.reading(db) as con:                                 # the same run's held connection
            assert settings.get(con, "language") == "sv"
            assert settings.reporting_tz(con) == "Europe/Stockholm"
    assert statements == ["SELECT name, value FROM settings"]
    # A writing connection reads again: what it has just written is what it reads.
    with store.writing(db) as con:
        assert settings.get(con, "sl_threshold_s") == "30"
        settings.put(con, "sl_threshold_s", "45")
        assert settings.get(con, "sl_threshold_s") == "45"
        settings.put(con, "reporting_tz", "Europe/Helsinki")
        assert settings.reporting_tz(con) == "Europe/Helsinki"
    # A write in the middle of a page run closes its held file: the run's next read sees the write.
    with store.one_reader():
        with store.reading(db) as con:
            assert settings.get(con, "sl_threshold_s") == "45"
        with store.writing(db) as con:
            settings.put(con, "sl_threshold_s", "60")
        with store.reading(db) as con:
            assert settings.get(con, "sl_threshold_s") == "60"
            assert settings.get(con, "reporting_tz") == "Europe/Helsinki"


def test_several_settings_on_a_writing_connection_are_one_statement(db, statements):
    """An import's rollups ask for three settings inside its transaction: one read, stored values and
    defaults (short_abandon_s is not stored: its default 5) in the order asked."""
    with store.writing(db) as con:
        settings.put(con, "sl_threshold_s", "30")
        settings.put(con, "reporting_tz", "Europe/Helsinki")
        statements.clear()
        assert settings.get_all(con, "sl_threshold_s", "short_abandon_s", "reporting_tz") == (
            "30", "5", "Europe/Helsinki")
    assert statements == ["SELECT name, value FROM settings"]
    with pytest.raises(KeyError):
        settings.get_all(None, "reporting_tz", "no_such_setting")
