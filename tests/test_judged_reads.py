"""A switch to a period not seen reads less (issue 22): one partner's weekly rollup rows are its day
rows summed (its trends and its forecast chart's excused days share one statement), the SL heatmap
sums the 15-minute interval rows the scorecard reads (no hour-grain read), the weekly forecasts are
read once, and the interval rows are judged with fewer Python calls. Each figure equals the route
before: the statement at the week or hour grain as DuckDB groups it, and values by hand."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from data import store
from metrics import aggregate, measures, reads, scorecard, series
from metrics.definitions import ROLLUP_METRICS, SL_VARIANTS, metric
from partners import periods, terms
from partners.access import scope_sql

TZ = "Europe/Stockholm"
ROLLUPS = "One row per period and group"


def _partner(con) -> int:
    return store.execute(con, "SELECT min(partner_id) FROM partners").scalar()


def _statement_rows(con, grain: str, by: str, period: periods.Period, partner_ids) -> list[dict]:
    """The rollup statement at `grain` as DuckDB groups it (the route before), with each metric's value."""
    start, end = period.utc_bounds(TZ)
    params = {"tz": TZ, "start": start, "end": end}
    rows = store.execute(con, aggregate.rollup_sql(grain, by, scope_sql("partner_id", partner_ids, params)),
                         params).dicts()
    for row in rows:
        for m in ROLLUP_METRICS:
            row[m.name] = aggregate.ratio(row[f"{m.name}__num"], row[f"{m.name}__den"]) if m.denominator \
                else row[m.name + "__num"]
    return rows


@pytest.mark.parametrize("by", ("partner", "queue"))
def test_one_partners_week_rows_summed_from_its_days_are_the_week_statements_rows(demo_db, by):
    """13 weeks ending with the autumn DST week (2026-W43, a 25-hour Sunday): every column, value and
    row order the week statement gives."""
    span = periods.between(date(2026, 7, 27), date(2026, 10, 26))
    start, end = span.utc_bounds(TZ)
    with store.reading(demo_db) as con:
        pid = _partner(con)
        summed = aggregate.rollup_rows(con, tz=TZ, grain="week", by=by, start=start, end=end, partner_ids=(pid,))
        expected = _statement_rows(con, "week", by, span, (pid,))
    assert len(expected) >= 13 and sum(r["offered"] for r in expected) > 200  # real weeks compared
    assert summed == expected
    assert [list(r) for r in summed] == [list(r) for r in expected]  # the columns in the statement's order


def test_a_week_summed_by_hand_from_two_day_rows():
    """Two days of one week and a day of the next: the week's counts, numerators and denominators are
    the days' sums, kept in the statement's order (period, then group name)."""
    def day(d: int, group: str, offered: int) -> dict:
        row = {"period_start": datetime(2026, 11, d), "utc_offset": timedelta(0),
               "group_id": 1 if group == "b" else 2, "group_name": group, "partner_id": 7}
        row.update({column: offered for column in aggregate.SUMMED})
        return row
    rows = aggregate._summed_days([day(16, "b", 3), day(16, "a", 1), day(18, "b", 4), day(23, "b", 5)], "week")
    assert [(r["period_start"].date(), r["group_name"], r["offered"], r["service_level__den"]) for r in rows] == [
        (date(2026, 11, 16), "a", 1, 1), (date(2026, 11, 16), "b", 7, 7), (date(2026, 11, 23), "b", 5, 5)]


@pytest.mark.parametrize("label", ("2026-W43", "2026-W46", "2026-10"))
def test_the_heatmap_from_the_interval_rows_is_the_hour_rollups_summed(demo_db, label):
    """The route before: the hour-grain rollup statement summed per partner, weekday and hour, in each
    partner's variant (the autumn DST week's repeated hour included)."""
    period = periods.parse(label)
    with store.reading(demo_db) as con:
        heatmap = series.sl_heatmap(con, period, TZ)
        hours = _statement_rows(con, "hour", "partner", period, None)
        variants = {pid: metric(SL_VARIANTS[terms.latest(con, pid, period).sl_variant])
                    for pid in {r["partner_id"] for r in hours}}
        expected: dict[tuple, list[int]] = {}
        for row in hours:
            sl = variants[row["partner_id"]]
            cell = expected.setdefault((row["partner_id"], row["group_name"], row["period_start"].isoweekday(),
                                        row["period_start"].hour), [0, 0, 0])
            cell[0] += row["offered"]
            cell[1] += row[f"{sl.name}__num"]
            cell[2] += row[f"{sl.name}__den"]
    found = {(None if pd.isna(r.partner_id) else r.partner_id, r.group, r.weekday, r.hour):
             [r.offered, r.numerator, r.denominator] for r in heatmap.itertuples()}
    assert found == expected and len(found) > 100
    assert heatmap["numerator"].dtype == "int64" and heatmap["offered"].dtype == "int64"


def test_a_scorecard_switch_reads_the_rollups_once_by_day_and_no_hour(demo_db, statements):
    """The Scorecard page's reads of one partner and week: one rollup statement (by day, over the trend's
    weeks), no hour-grain one, one weekly-forecasts read; each figure equals a read on a fresh connection."""
    period = periods.parse("2026-W45")
    with store.reading(demo_db) as con:
        pid = _partner(con)
    with store.reading(demo_db) as con:
        statements.clear()
        trends = reads.availability_trends(con, pid, period, TZ)
        card = scorecard.scorecard(con, pid, period, TZ)
        forecast = reads.forecast_weeks(con, pid, period, trends, TZ)
        heatmap = reads.heatmap_cells(con, pid, period, TZ)
    rollups = [sql for sql in statements if ROLLUPS in sql]
    assert len(rollups) == 1 and "date_trunc('day'" in rollups[0]
    assert not [sql for sql in statements if "date_trunc('hour'" in sql]
    assert sum("legs AS forecast" in sql for sql in statements) == 1
    with store.reading(demo_db) as con:
        assert scorecard.scorecard(con, pid, period, TZ) == card  # bit for bit: every DOUBLE sum names its order
    with store.reading(demo_db) as con:
        pd.testing.assert_frame_equal(reads.forecast_weeks(con, pid, period, trends, TZ), forecast)
    with store.reading(demo_db) as con:
        pd.testing.assert_frame_equal(reads.heatmap_cells(con, pid, period, TZ), heatmap)
    assert len(heatmap) > 10 and forecast["sent"].sum() > 100


ROW = {"answered": 10, "abandoned": 4, "short_abandoned": 1, "overflowed": 2, "answered_within_threshold": 8,
       "abandoned_within_threshold": 2, "turned_away_inside_hours": 1, "offered": 17}


@pytest.mark.parametrize(("variant", "numerator", "denominator"), (
    ("abandons-count", 8, 10 + 4 - 1 + 1),
    ("answered-only", 8, 10),
    ("abandons-within-met", 8 + 2, 10 + 4 + 1),
    ("with-overflow", 8, 10 + 4 - 1 + 2 + 1),
))
def test_an_interval_rows_service_level_by_hand(variant, numerator, denominator):
    assert measures.service_level_counts(ROW, variant) == (numerator, denominator)
    level, top, bottom = measures.service_level_parts(ROW, variant)
    assert (level, top, bottom) == (numerator / denominator, float(numerator), float(denominator))
    assert isinstance(top, float) and measures.service_level_of(ROW, variant).value == level


def test_attainment_judges_the_rows_inside_hours_with_data_by_hand():
    """Four intervals: one met (8/10 against 0.8), one missed (1/2), one without data (0 offered: not
    judged), one outside hours (not judged); a day range leaves out the last day's row."""
    rows = [{**ROW, "inside_hours": True, "local_day": date(2026, 11, 16)},
            {"answered": 2, "answered_within_threshold": 1, "inside_hours": True, "local_day": date(2026, 11, 16),
             "abandoned": 0, "short_abandoned": 0, "turned_away_inside_hours": 0},
            {"answered": 0, "answered_within_threshold": 0, "inside_hours": True, "local_day": date(2026, 11, 16),
             "abandoned": 0, "short_abandoned": 0, "turned_away_inside_hours": None},
            {**ROW, "inside_hours": False, "local_day": date(2026, 11, 16)},
            {**ROW, "answered_within_threshold": 0, "inside_hours": True, "local_day": date(2026, 11, 17)}]
    found = measures.attainment(rows, "answered-only", 0.8)
    assert (found.numerator, found.denominator) == (1, 3)
    within = measures.attainment(rows, "answered-only", 0.8, (date(2026, 11, 16), date(2026, 11, 17)))
    assert (within.numerator, within.denominator) == (1, 2)
    assert measures.attainment(rows, "answered-only", None).denominator == 3


def test_a_meetings_range_and_the_days_before_are_read_in_one_statement_per_part(demo_db, statements):
    """A meeting looks back on a range of days with the same number of days before it (the change): each
    part is one statement split at the range's first day, not one per range (the figures equal each
    range read alone: tests/test_measures_together.py)."""
    meeting = periods.between(date(2026, 10, 20), date(2026, 11, 12))
    with store.reading(demo_db) as con:
        pid = _partner(con)
    with store.reading(demo_db) as con:
        statements.clear()
        card = scorecard.scorecard(con, pid, meeting, TZ)
    for marker in (ROLLUPS, "the CSAT answers", "the sum of evaluation scores", "the customer's side of the calls"):
        ran = [sql for sql in statements if marker in sql]
        assert len(ran) == 1 and "$split" in ran[0], marker
    assert sum("AS queue_local" in sql for sql in statements) == 1  # the intervals of both, cut by day
    assert card.figure("offered").value > 20 and card.figure("offered").previous_value > 20
