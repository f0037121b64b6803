"""Retention purge (issue 21, docs/privacy.md): `python -m cli privacy purge` takes the personal data
older than its retention off the store, and every scorecard figure of every period and every
frozen meeting stays exactly as it was."""
from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data import settings, store
from metrics import scorecard
from partners import periods
from tests.conftest import ROOT

# With today 2026-11-24 (tests/conftest.py), one month back: what is older than 24 Oct 2026 00:00 Stockholm.
HORIZON = dt.datetime(2026, 10, 23, 22, tzinfo=dt.timezone.utc)
RETENTION = {"retention_legs_months": "1", "retention_survey_months": "1", "retention_qa_months": "1",
             "retention_audit_months": "1", "retention_uploads_days": "0", "retention_rejected_days": "30"}


@pytest.fixture
def demo(demo_db, tmp_path) -> Path:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    with store.writing(db) as con:
        for name, value in RETENTION.items():
            settings.put(con, name, value)
        store.execute(con, "INSERT INTO audit_log (logged_at, actor, action, detail) VALUES "
                           "('2026-09-01 10:00:00+00', 'old', 'settings', 'an old line')")
    return db


def every_figure(db: Path) -> dict:
    """Every figure of every scorecard (each partner and in-house) of every month with legs (two
    years of the demo), and of the weeks either side of the horizon (a week cut by it)."""
    with store.reading(db) as con:
        day, end = store.execute(con, "SELECT CAST(min(offered_at) AS DATE), CAST(max(offered_at) AS DATE) "
                                      "FROM call_legs").one()
        chosen = {periods.week(HORIZON.date() + dt.timedelta(days=days)) for days in (-7, 0, 7)}
        while day <= end:
            chosen.add(periods.month(day))
            day += dt.timedelta(days=28)
        return {(p.label, card.name): [(f.metric, f.value, f.numerator, f.denominator, f.sample_size, f.status)
                                       for f in card.figures]
                for p in sorted(chosen, key=lambda p: (p.start, p.end)) for card in scorecard.overview(con, p)}


def differences(after: dict, before: dict) -> list[str]:
    """The figures that moved; floats beyond 1e-12 relative only (DuckDB sums doubles in parallel, in
    an order that may change with the file's layout, and the purge rewrites the file)."""
    def same(a, b) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-12)
        return a == b
    assert after.keys() == before.keys()
    return [f"{key} {x} != {y}" for key in before for x, y in zip(after[key], before[key])
            if not all(same(a, b) for a, b in zip(x, y))]


def personal(db: Path) -> dict[str, int]:
    """What the purge must leave none of older than the horizon."""
    checks = {
        "legs with a customer or agent id": "SELECT count(*) FROM call_legs WHERE offered_at < $h "
                                            "AND (customer_id IS NOT NULL OR agent_id IS NOT NULL)",
        "customer_calls": "SELECT count(*) FROM customer_calls WHERE offered_at < $h",
        "survey answers with a call or answer id": "SELECT count(*) FROM survey_answers WHERE answered_at < $h "
                                                   "AND (call_id IS NOT NULL OR NOT starts_with(answer_id, 'purged:'))",
        "QA evaluations with an agent or call id": "SELECT count(*) FROM qa_evaluations WHERE evaluated_at < $h "
                                                   "AND (agent_id IS NOT NULL OR call_id IS NOT NULL)",
        "audit lines": "SELECT count(*) FROM audit_log WHERE logged_at < $h",
    }
    with store.reading(db) as con:
        return {name: store.execute(con, text, {"h": HORIZON}).scalar() for name, text in checks.items()}


def purge(db: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "cli", "privacy", "purge", *extra, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "OVERFLOW_DB": str(db)})
    assert done.returncode == 0, done.stderr
    return done


def test_a_purge_keeps_every_scorecard_figure_and_frozen_meeting_and_takes_the_ids_off(demo):
    figures = every_figure(demo)
    assert len(figures) > 20
    frozen = store.query("SELECT meeting_id, frozen_figures FROM meetings ORDER BY meeting_id", path=demo).rows
    assert frozen, "the demo holds saved meetings"
    held = personal(demo)
    assert all(held.values()), held  # there is something of each kind to purge
    legs = store.query("SELECT count(*) FROM call_legs", path=demo).scalar()

    dry = purge(demo, "--dry-run")
    assert personal(demo) == held  # a dry run changes nothing
    assert f"call legs (customer and agent ids): would purge" in dry.stdout

    done = purge(demo)
    assert personal(demo) == dict.fromkeys(held, 0)
    assert store.query("SELECT count(*) FROM call_legs", path=demo).scalar() == legs
    assert store.query("SELECT meeting_id, frozen_figures FROM meetings ORDER BY meeting_id", path=demo).rows == frozen
    assert differences(every_figure(demo), figures) == []
    assert done.stdout.splitlines()[0].startswith("call legs (customer and agent ids): purged ")
    logged = store.query("SELECT detail FROM audit_log WHERE action = 'privacy.purge'", path=demo).rows
    assert len(logged) == 1 and logged[0][0].startswith("call legs (customer and agent ids): purged ")
    # What is newer than the horizon keeps its ids.
    assert store.query("SELECT count(*) FROM call_legs WHERE offered_at >= ? AND customer_id IS NOT NULL",
                       [HORIZON], path=demo).scalar() > 0


def test_the_retention_settings_are_checked_and_listed(demo):
    with pytest.raises(Exception, match="retention_legs_months: '0' is not a whole number from 1 to 1200"):
        settings.checked("retention_legs_months", "0")
    done = subprocess.run([sys.executable, "-m", "cli", "settings", "list", "--db", str(demo)], cwd=ROOT,
                          capture_output=True, text=True)
    assert "retention_legs_months\t1\t" in done.stdout and "retention_audit_months\t1\t" in done.stdout
