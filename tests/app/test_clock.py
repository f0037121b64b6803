"""The suite never reads the wall clock: the app's "today" is data.clock's, which the tests fix.

The same app on the same database, under two fixed todays, proposes the last complete week of each;
had any part read the real date, one of the two would show the week of the day the suite runs.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from data import clock
from tests.app.test_pages import open_page
from tests.conftest import ROOT


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("OVERFLOW_DB", str(demo_db))
    return demo_db


@pytest.mark.parametrize(("today", "week"), [
    ("2026-11-24", "2026-W47"),   # Tuesday: the week before, 16-22 Nov, is the last complete one
    ("2026-10-04", "2026-W39"),   # Sunday 4 Oct: its own week is not complete yet
    ("2026-10-05", "2026-W40"),   # the Monday after: 28 Sep-4 Oct now is
])
def test_the_overview_proposes_the_last_complete_week_of_the_fixed_today(demo, monkeypatch, today, week):
    monkeypatch.setenv(clock.ENV, today)
    at = open_page("app_pages/overview.py")
    assert not at.exception
    assert at.selectbox(key="period").value == week


def test_the_demo_ends_on_the_monday_of_the_fixed_today(tmp_path):
    env = {**os.environ, clock.ENV: "2025-03-05"}  # a Wednesday: the demo ends Monday 3 Mar
    done = subprocess.run([sys.executable, "-m", "cli", "demo", "--calls", "1000", "--db", str(tmp_path / "d.duckdb")],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "2 Mar 2025" in done.stdout, done.stdout  # the last day of data, written with the last day included


def test_a_today_that_is_no_date_is_said_in_one_line(monkeypatch):
    monkeypatch.setenv(clock.ENV, "next tuesday")
    with pytest.raises(clock.ClockError, match="OVERFLOW_TODAY='next tuesday' is not a date"):
        clock.today()
    monkeypatch.setenv(clock.ENV, "2026-03-29")
    assert clock.today("America/New_York") == dt.date(2026, 3, 29)
    assert clock.now() == dt.datetime(2026, 3, 29, 12, tzinfo=dt.timezone.utc)
