"""A period and the one before it read together (measures.together: one statement per part, grouped
by week or month, the interval and staffing rows cut by local day) give exactly the figures of one
read per period, the route the scorecard took before; and the grouped FCR equals plain SQL over the
raw legs. On the demo (every partner, one partner, the in-house benchmark; weeks and months; FCR of
1, 7 and 30 days; another zone) and on the hand-counted legs of the rollup tests."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import shutil

import pytest

from data import rollups, store
from metrics import excusal, measures, scorecard
from metrics.measures import CallTerms
from partners import agreements, periods
from tests.test_detail_aggregates import TZ, raw_fcr, raw_p90
from tests.test_metrics_rollups import BATCH_1, QUEUES

# A meeting's range (over the autumn DST change) and the days before it: read split at its first day.
MEETING = periods.between(dt.date(2026, 10, 20), dt.date(2026, 11, 12))
GROUPS = ((periods.parse("2026-W46"), periods.parse("2026-W47")),
          (periods.parse("2026-09"), periods.parse("2026-10")),
          (periods.previous(MEETING), MEETING))


def _partners(con) -> list[int]:
    return [row[0] for row in store.execute(con, "SELECT partner_id FROM partners ORDER BY partner_id").rows]


def _alone_and_together(con, group, tz, read):
    """`read(period)` for each period of `group`, outside and inside a `together` block (the later
    period first, as the scorecard asks)."""
    alone = {p: read(p) for p in group}
    with measures.together(group):
        grouped = {p: read(p) for p in reversed(group)}
    return alone, grouped


def _same(a, b) -> bool:
    """Equal, floats within 1e-12: a sum of doubles (QA scores) may add in another order in DuckDB's
    threads, read alone or together alike, and differ in its last bit."""
    if isinstance(a, measures.Measure) and isinstance(b, measures.Measure):
        return all(_same(x, y) for x, y in zip(dataclasses.astuple(a), dataclasses.astuple(b)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b and type(a) is type(b)


def _assert_same(alone: dict, grouped: dict) -> None:
    for period, found in alone.items():
        assert _same(grouped[period], found), period.label


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g[0].grain)
@pytest.mark.parametrize("days", (1, 7, 30))
def test_a_period_and_the_one_before_read_together_equal_each_read_alone(demo_db, group, days):
    with store.reading(demo_db) as con:
        partner = _partners(con)[0]
        terms_ = CallTerms(30, 5, 40)
        for scope in (None, (partner,)):
            alone, grouped = _alone_and_together(con, group, TZ, lambda p: measures.measure(
                con, p, TZ, fcr_days=days, partner_ids=scope, call_terms=terms_))
            _assert_same(alone, grouped)
            assert all(found[partner]["offered"].value > 0 for found in alone.values())  # real figures compared
            assert all(found[partner]["fcr"].denominator > 0 for found in alone.values())
            for statement in ("interval_sl", "staffing_days"):
                alone, grouped = _alone_and_together(
                    con, group, TZ, lambda p: measures.day_rows(con, statement, p, TZ, scope))
                _assert_same(alone, grouped)
                assert all(rows for rows in alone.values())


@pytest.mark.parametrize("days", (1, 7, 30))
def test_fcr_read_together_equals_the_raw_legs(demo_db, days):
    with store.reading(demo_db) as con, measures.together(GROUPS[0]):
        found = {p: measures.measure(con, p, TZ, fcr_days=days, only=("fcr",)) for p in GROUPS[0]}
    for period in GROUPS[0]:
        got = {pid: (f["fcr"].denominator, f["fcr"].numerator, f["fcr"].left_out) for pid, f in found[period].items()}
        assert got == raw_fcr(demo_db, period, days), (period.label, days)


def test_in_another_zone_and_within_shared_reads_the_figures_are_those_read_alone(demo_db):
    """Pacific/Auckland cuts the demo's weeks 11-13 hours before UTC's; the Overview's shared reads
    nest the scorecards' groups."""
    zone = "Pacific/Auckland"
    group = GROUPS[0]
    with store.reading(demo_db) as con:
        alone = {p: (measures.measure(con, p, zone, fcr_days=7), measures.interval_sl_rows(con, p, zone, None))
                 for p in group}
        with measures.shared_reads():
            for pid in (*_partners(con), None):
                with measures.together(group):
                    for period in reversed(group):
                        scope = None if pid is None else (pid,)
                        found = measures.measure(con, period, zone, fcr_days=7, partner_ids=scope)
                        assert _same(found[pid], alone[period][0][pid])
                        rows = measures.interval_sl_rows(con, period, zone, scope)
                        assert rows == [r for r in alone[period][1] if scope is None or r["partner_id"] == pid]


def test_a_period_outside_the_group_is_read_alone(demo_db):
    """A part of a week (an agreement changed inside it) is not one of the group's periods."""
    part = periods.between(dt.date(2026, 11, 18), dt.date(2026, 11, 23))
    with store.reading(demo_db) as con:
        alone = measures.measure(con, part, TZ, fcr_days=7)
        with measures.together(GROUPS[0]):
            assert _same(measures.measure(con, part, TZ, fcr_days=7), alone)
    assert measures._group_of(part) == ()


def test_the_hand_counted_legs_give_the_same_scorecard_with_the_week_before(db):
    """The rollup tests' legs (weeks 9 and 10 of 2026): both weeks' figures read together equal
    each read alone, and the scorecard's previous value is the week before's own figure."""
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        rollups.rebuild_all(con)
    week, before = periods.parse("2026-W10"), periods.parse("2026-W09")
    with store.reading(db) as con:
        alone, grouped = _alone_and_together(con, (before, week), "UTC", lambda p: measures.measure(
            con, p, "UTC", fcr_days=7))
        _assert_same(alone, grouped)
        card = scorecard.scorecard(con, 1, week, "UTC")
        previous = scorecard.scorecard(con, 1, before, "UTC")
    assert alone[week][1]["offered"].value == 3  # Acme's legs a1, a2, a3
    assert card.figure("offered").value == 3
    assert card.figure("offered").previous_value == previous.figure("offered").value == 0  # no legs in W09


@pytest.mark.parametrize("zone", (TZ, "Pacific/Auckland"))
def test_the_days_of_a_forecast_chart_from_the_rollups_equal_those_from_the_intervals(demo_db, zone):
    """excusal.days without the scorecard's interval rows sums the rollups per local day: the same
    days and counts as summing the partner's interval rows, the route it took before."""
    span = periods.between(dt.date(2026, 8, 31), dt.date(2026, 11, 30))  # 13 weeks
    with store.reading(demo_db) as con:
        for pid in _partners(con):
            rows = [r for r in measures.interval_sl_rows(con, span, zone, (pid,)) if r["partner_id"] == pid]
            from_intervals = excusal.days(con, pid, span, zone, rows)
            from_rollups = excusal.days(con, pid, span, zone)
            assert len(from_rollups) > 50 and sum(d.counts["offered"] for d in from_rollups) > 100
            assert from_rollups == from_intervals, pid


def test_p90_read_together_equals_the_raw_legs(demo_db):
    with store.reading(demo_db) as con:
        for group in GROUPS:
            with measures.together(group):
                found = {p: measures.measure(con, p, TZ, fcr_days=7, only=("p90",)) for p in group}
            for period in group:
                got = {pid: (f["p90_wait_s"].value, f["p90_wait_s"].sample_size)
                       for pid, f in found[period].items() if "p90_wait_s" in f}
                assert got == raw_p90(demo_db, period), period.label


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g[0].grain)
def test_the_days_judged_for_an_excusal_read_together_equal_those_read_alone(demo_db, group):
    """excusal.days inside a group reads every partner's weekly forecasts over the group once and
    keeps the period's weeks: the same days, forecasts and staffing as one read per period."""
    with store.reading(demo_db) as con:
        for pid in _partners(con):
            alone, grouped = _alone_and_together(con, group, TZ, lambda p: excusal.days(con, pid, p, TZ))
            _assert_same(alone, grouped)
            assert all(any(day.week_forecast for day in days) for days in alone.values()), pid  # forecasts compared


def test_a_partner_gets_its_own_forecast_weeks_touching_the_days(db):
    """weekly_forecasts reads every partner's weeks once and keeps one partner's: the week holding the
    first day (begun before it), none starting on the end day, none of another partner."""
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme'), (2, 'Beta');"
                    "INSERT INTO forecasts (partner_id, week_start, legs) VALUES (1, DATE '2026-03-02', 70),"
                    " (1, DATE '2026-03-09', 80), (1, DATE '2026-03-16', 90), (2, DATE '2026-03-09', 5)")
    with store.reading(db) as con:
        assert excusal.weekly_forecasts(con, 1, dt.date(2026, 3, 4), dt.date(2026, 3, 16)) == [
            (dt.date(2026, 3, 2), 70), (dt.date(2026, 3, 9), 80)]
        assert excusal.weekly_forecasts(con, 2, dt.date(2026, 3, 4), dt.date(2026, 3, 16)) == [(dt.date(2026, 3, 9), 5)]


@pytest.mark.parametrize("period", ("2026-W47", "2026-W46", "2026-10", "2026-11"))
def test_a_card_of_the_quality_figures_alone_equals_the_whole_cards_quality_section(demo_db, period):
    """The Quality page's card (names=FAMILIES["quality"]) reads no intervals: its figures are the whole
    card's quality section."""
    with store.reading(demo_db) as con:
        for pid in [*_partners(con), None]:
            whole = scorecard.scorecard(con, pid, periods.parse(period), TZ)
            alone = scorecard.scorecard(con, pid, periods.parse(period), TZ, names=scorecard.FAMILIES["quality"])
            assert [f.family for f in alone.figures] == ["quality"] * len(whole.family("quality"))
            assert alone.family("quality") == whole.family("quality"), (pid, period)
            assert any(f.value is not None for f in alone.figures)
            assert (alone.name, alone.agreement_parts, alone.note) == (whole.name, whole.agreement_parts, whole.note)


def test_a_quality_card_across_two_agreements_is_judged_part_by_part_as_the_whole_card(demo_db, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    with store.writing(path) as con:
        pid = _partners(con)[0]
        agreements.add_version(con, pid, dt.date(2026, 11, 19), qa_min=0.99, fcr_days=3, quality_judgement="point")
    with store.reading(path) as con:
        week = periods.parse("2026-W47")
        whole = scorecard.scorecard(con, pid, week, TZ)
        alone = scorecard.scorecard(con, pid, week, TZ, names=scorecard.FAMILIES["quality"])
    assert [len(f.parts) for f in alone.figures] == [2] * len(alone.figures)
    assert alone.figure("qa_score").parts[1].target == 0.99
    assert alone.family("quality") == whole.family("quality")
    assert alone.note == whole.note != ""
