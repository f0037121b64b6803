"""The 13-week quality trend, read in one grouped pass per metric, equals the old route: one
`measures.measure` per week with the FCR days of the agreement in force, on the real demo database."""
from __future__ import annotations

import datetime as dt
import math
from datetime import timedelta

import pandas as pd
import pytest

from data import settings, store
from metrics import measures, series
from partners import periods, terms


def _per_week(con, period, tz, partner_ids, weeks) -> dict[tuple, dict[str, float | int | None]]:
    """Each week's figures measured on their own, the way the trend was computed before grouping."""
    expected = {}
    partners = [r[0] for r in store.execute(con, "SELECT partner_id FROM partners").rows]
    partners = [p for p in partners if partner_ids is None or p in partner_ids]
    partners += [None] if partner_ids is None else []
    for week in periods.weeks_ending(period, weeks):
        for pid in partners:
            days = terms.terms_in_force(con, pid, week.end - dt.timedelta(days=1)).fcr_days  # the week's last day
            figures = measures.measure(con, week, tz, fcr_days=days, partner_ids=partner_ids).get(pid, {})
            row: dict[str, float | int | None] = {"fcr_days": days}
            for name in series.QUALITY_TREND:
                m = figures.get(name, measures.Measure(None))
                row[name], row[f"{name}_n"] = m.value, m.sample_size
            expected[week.start, pid] = row
    return expected


def _same(a, b) -> bool:
    """Equal figures, or both "no data" (None in the old route, None/NaN/NA in a frame)."""
    missing = (a is None or pd.isna(a), b is None or pd.isna(b))
    if any(missing):
        return all(missing)
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize(("scope", "zone"), [("everything", None), ("one partner", None),
                                             ("everything", "Pacific/Auckland")])
def test_grouped_quality_trend_equals_one_measure_per_week(demo_db, scope, zone):
    """The reporting zone, and a zone 13 hours ahead of UTC, which cuts the demo's Sunday afternoons into the next week."""
    with store.reading(demo_db) as con:
        tz = settings.reporting_tz(con, zone)
        last_day = store.execute(con, "SELECT CAST(timezone($tz, max(offered_at)) AS DATE) FROM call_legs",
                                 {"tz": tz}).rows[0][0]
        partner_ids = None if scope == "everything" else (
            store.execute(con, "SELECT min(partner_id) FROM partners").rows[0][0],)
        # the last day's week plus one more, so the trend reaches weeks with no data too
        period = periods.week(last_day + timedelta(days=7))
        expected = _per_week(con, period, tz, partner_ids, 13)
        found = series.quality_trend(con, period, tz, partner_ids, 13)

    assert len(found) == len(expected)
    assert found["qa_score_n"].sum() > 0 and found["fcr_n"].sum() > 0 and found["csat_top2_n"].sum() > 0
    for row in found.to_dict("records"):
        pid = None if pd.isna(row["partner_id"]) else int(row["partner_id"])
        want = expected[row["week_start"], pid]
        for column, value in want.items():
            assert _same(row[column], value), (row["week"], pid, column, row[column], value)

