"""The server's time zone changes no figure and no demo row: every connection's session zone is UTC.

The demo is built three times by the real CLI, under TZ=UTC, Europe/Stockholm and America/New_York
(the same fixed today), and every table of data it holds (legs, rollups, QA, surveys, staffing,
forecasts, the meetings' frozen figures) is compared row for row; the FCR of every partner and
week, which adds N days to a timestamp, is compared too. Times a write records (created_at,
logged_at) are the moment of the build and are left out.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from data import store
from metrics.scorecard import overview
from partners import periods
from tests.conftest import ROOT

ZONES = ("UTC", "Europe/Stockholm", "America/New_York")
TABLES = {
    "call_legs": "queue_id, call_id",
    "interval_rollups": "queue_id, interval_start",
    "qa_evaluations": "evaluation_id",
    "qa_items": "evaluation_id, item",
    "survey_answers": "ALL",
    "staffing": "queue_id, interval_start",
    "forecasts": "partner_id, week_start",
    "meetings": "meeting_id",
    "action_items": "item_id",
}
RECORDED = ("created_at", "logged_at", "changed_at", "granted_at", "edited_at")


def rows(con, table: str, order: str) -> list[tuple]:
    columns = [c for c, in store.execute(
        con, "SELECT column_name FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position",
        {"t": table}).rows if c not in RECORDED]
    listed = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in columns)  # TIMESTAMPTZ as UTC text
    return store.execute(con, f"SELECT {listed} FROM {table} ORDER BY {order}").rows


def steady(value):
    """12 significant digits: DuckDB's parallel float sums may differ in the last bit between two reads."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("zones")
    built = {}
    for zone in ZONES:
        path = folder / f"{zone.replace('/', '-')}.duckdb"
        subprocess.run([sys.executable, "-m", "cli", "demo", "--calls", "3000", "--db", str(path)], cwd=ROOT,
                       env={**os.environ, "TZ": zone}, check=True, capture_output=True, text=True)
        built[zone] = path
    return built


@pytest.mark.slow
@pytest.mark.parametrize("table", sorted(TABLES))
def test_the_demo_holds_the_same_rows_in_every_server_zone(demos, table):
    found = {}
    for zone, path in demos.items():
        with store.reading(path) as con:
            found[zone] = rows(con, table, TABLES[table])
    assert found["UTC"], f"the demo holds no {table}"
    assert found["Europe/Stockholm"] == found["UTC"]
    assert found["America/New_York"] == found["UTC"]


@pytest.mark.slow
def test_fcr_and_every_figure_are_the_same_in_every_server_zone(demos):
    # Four weeks around the end of summer time (25 Oct 2026), where an "N days" window could be 167 or 169 hours.
    weeks = [periods.parse(label) for label in ("2026-W42", "2026-W43", "2026-W44", "2026-W45")]
    figures = {}
    for zone, path in demos.items():
        with store.reading(path) as con:
            figures[zone] = [(card.name, week.label, f.metric, *(steady(x) for x in (f.numerator, f.denominator, f.value)))
                             for week in weeks for card in overview(con, week) for f in card.figures]
    assert any(metric == "fcr" and value is not None for *_, metric, _, _, value in figures["UTC"])
    assert figures["Europe/Stockholm"] == figures["UTC"]
    assert figures["America/New_York"] == figures["UTC"]
