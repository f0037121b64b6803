"""A page seen again replays what its cached drawings drew (ui/render: tables and charts cached as
drawn): the rerun shows the same tables, with the same styled missed statuses, labels and numbers,
and the same charts; a cached read's key is made of the plain values that decide its result."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from partners import periods
from partners.access import Scope
from tests.app.test_pages import demo, open_page  # noqa: F401  (fixtures)
from ui.source import Source, _plain

MISSED = "✖ missed"


def drawn(at) -> dict:
    """Every table (values, styles, column config) and chart spec the run sent."""
    tables = [(frame.value.to_json(), frame.proto.arrow_data.styler.styles, frame.proto.columns) for frame in at.dataframe]
    charts = [json.loads(chart.proto.spec) for chart in at.get("arrow_vega_lite_chart")]
    return {"tables": tables, "charts": charts}


@pytest.mark.parametrize("page", ["app_pages/availability.py", "app_pages/scorecard.py", "app_pages/meetings.py",
                                  "app_pages/quality.py"])
def test_a_rerun_shows_what_the_first_run_drew(demo, page):
    at = open_page(page, period="2026-W47")
    first = drawn(at)
    assert first["tables"] and not at.exception
    at.run()
    assert drawn(at) == first


def test_a_missed_status_stays_bold_red_when_the_table_is_replayed(demo):
    at = open_page("app_pages/availability.py", period="2026-W47")
    at.run()
    summary = at.dataframe[0]
    missed = [(row, column) for column, cells in enumerate(summary.value.T.values) for row, cell in enumerate(cells)
              if isinstance(cell, str) and cell == MISSED]
    assert missed, "the demo's week has a missed figure"
    styles = summary.proto.arrow_data.styler.styles
    for row, column in missed:
        assert f"row{row}_col{column} " in styles or f"row{row}_col{column}," in styles
    assert "color: #c62828; font-weight: bold" in styles


SOURCE = Source("/data/a.duckdb", 7, "Europe/Stockholm", Scope("", "manager"), "en")


def test_a_cached_reads_key_holds_every_value_of_its_source_and_period():
    week = periods.parse("2026-W47")
    keys = {repr(_plain((source, week))) for source in (
        SOURCE, dataclasses.replace(SOURCE, version=8), dataclasses.replace(SOURCE, language="sv"),
        dataclasses.replace(SOURCE, tz="UTC"), dataclasses.replace(SOURCE, scope=Scope("", "partner", 2)))}
    assert len(keys) == 5
    assert _plain(periods.parse("2026-W47")) == _plain(week) != _plain(periods.parse("2026-11"))


def test_a_partner_id_read_from_a_frame_keys_like_a_python_number():
    assert repr(_plain((np.int64(2), np.float64(0.5)))) == repr(_plain((2, 0.5)))
    assert repr(_plain((2,))) != repr(_plain(("2",))) and repr(_plain([2])) != repr(_plain((2,)))
    assert _plain(dt.date(2026, 11, 24)) == dt.date(2026, 11, 24)


def test_a_value_that_cannot_be_keyed_by_what_it_holds_is_refused():
    for value in (pd.DataFrame({"a": [1]}), lambda: 1, {"a": 1}, object()):
        with pytest.raises(TypeError):
            _plain(value)
