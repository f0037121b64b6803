"""A page run's reads share statements (issue 22, a period not seen): a scorecard reads the parts
its trends read over the trend's weeks, the Availability page's intervals are read with the period
before as the Overview's scorecards read them, and every partner's agreements, spans and forecasts
are read once. Each shared read gives the figures a read on a fresh connection gives (the route the
page took before), and the statements it shares are not run again on the page run's connection.
(Each block starts on a fresh connection, `store.let_go`: the process's kept read-only connection
remembers what earlier blocks read.)"""
from __future__ import annotations

import pandas as pd
import pytest

from data import store
from metrics import measures, reads, scorecard, series
from partners import periods

TZ = "Europe/Stockholm"
ROLLUPS = "One row per period and group"


def _partner(con) -> int:
    return store.execute(con, "SELECT min(partner_id) FROM partners").scalar()


@pytest.mark.parametrize("label", ("2026-W46", "2026-10"))
def test_the_trends_after_a_scorecard_run_none_of_the_statements_it_read(demo_db, statements, label):
    period = periods.parse(label)
    store.let_go(demo_db)
    with store.reading(demo_db) as con:  # the route before: the trends on their own
        pid = _partner(con)
        alone = (reads.availability_trends(con, pid, period, TZ), reads.quality_trends(con, pid, period, TZ))
    store.let_go(demo_db)
    with store.reading(demo_db) as con:
        scorecard.scorecard(con, pid, period, TZ)
        statements.clear()
        after = (reads.availability_trends(con, pid, period, TZ), reads.quality_trends(con, pid, period, TZ))
    for shared, fresh in zip(after, alone):
        pd.testing.assert_frame_equal(shared, fresh)
    assert len(alone[0]) == 5 * 13 and alone[1]["value"].notna().sum() > 20  # real weeks compared
    assert not [sql for sql in statements if ROLLUPS in sql or "evaluation_scores" in sql or "csat" in sql
                or "call_paths" in sql or "repeat_gaps" in sql]


def test_the_availability_intervals_and_the_overview_read_the_intervals_once(demo_db, statements):
    period = periods.parse("2026-W46")
    store.let_go(demo_db)
    with store.reading(demo_db) as con:  # the route before: the period's interval rows on their own
        alone = measures.interval_sl_rows(con, period, TZ)
    store.let_go(demo_db)
    with store.reading(demo_db) as con:
        statements.clear()
        shared = series.interval_availability(con, period, TZ)
        cards = scorecard.overview(con, period, TZ)
    for column, key in (("interval_utc", "interval_utc"), ("offered", "offered"), ("answered", "answered"),
                        ("inside_hours", "inside_hours")):
        assert shared[column].tolist() == [row[key] for row in alone], column
    assert len(alone) > 100 and shared["offered"].sum() > 100
    assert sum("interval_rollups r" in sql and "AS queue_local" in sql for sql in statements) == 1
    assert sum("legs AS forecast" in sql for sql in statements) == 1  # the weekly forecasts excusals judge by
    assert sum("FROM agreement_spans" in sql for sql in statements) == 1
    assert len(cards) == 4


def test_one_partners_staffing_takes_its_intervals_from_every_partners_read_before(demo_db, statements):
    """The Availability page reads every partner's intervals, then one partner's staffing chart: its
    interval rows are that partner's of the first read, and its figures those of a read of its own."""
    period = periods.parse("2026-W46")
    store.let_go(demo_db)
    with store.reading(demo_db) as con:
        pid = _partner(con)
        alone = series.staffing(con, period, TZ, (pid,))
        assert sum("AS queue_local" in sql for sql in statements) == 1  # read on its own: its own rows
    store.let_go(demo_db)
    with store.reading(demo_db) as con:
        series.interval_availability(con, period, TZ)
        statements.clear()
        shared = series.staffing(con, period, TZ, (pid,))
    pd.testing.assert_frame_equal(shared, alone)
    assert len(alone) > 20 and alone["agents_needed"].notna().any()
    assert not [sql for sql in statements if "AS queue_local" in sql]
