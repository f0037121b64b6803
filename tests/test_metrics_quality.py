"""Volume, availability and quality figures on tests/sql/metrics_quality.sql, expected values by hand."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data import rollups, store
from metrics import series
from metrics.scorecard import scorecard
from partners import agreements, periods
from tests.conftest import ROOT

W10 = periods.parse("2026-W10")


@pytest.fixture
def quality(db):
    with store.writing(db) as con:
        con.execute((ROOT / "tests" / "sql" / "metrics_quality.sql").read_text(encoding="utf-8"))
        rollups.rebuild_all(con)
        agreements.add_version(con, 1, date(2026, 1, 1), sl_target=0.8, qa_min=0.5, fcr_min=0.6, csat_min=0.5,
                               nps_min=10, transfer_back_max=0.1,
                               quality_judgement="point")  # these tests are about the point rule
    return db


@pytest.fixture
def card(quality):
    with store.reading(quality) as con:
        return scorecard(con, 1, W10)


def test_qa_score_drops_na_items_zeroes_critical_fails_and_leaves_out_calibration(card):
    # E1: (2x1 + 3x2 + 1x1) / (2x1 + 5x2 + 1x1) = 9/13 (closing N/A); E2: critical id-check failed -> 0;
    # E3: every item N/A -> no score; E4-E9 calibration -> left out.
    qa = card.figure("qa_score")
    assert (qa.value, qa.sample_size) == (pytest.approx(9 / 13 / 2), 2)
    assert qa.status == "red"  # 0.346 misses 0.5 by more than 0.05


def test_qa_by_section_and_evaluations(quality):
    with store.reading(quality) as con:
        sections = series.qa_sections(con, W10)
        evaluations = series.qa_evaluations(con, W10)
    got = {r.section: (r.scored, r.possible, r.evaluations) for r in sections.itertuples()}
    assert got == {"greeting": (3, 4, 2), "privacy": (1, 2, 2), "solution": (6, 10, 1)}
    scores = dict(zip(evaluations.evaluation_id, evaluations.score))
    assert scores["E1"] == pytest.approx(9 / 13) and scores["E2"] == 0 and pd.isna(scores["E3"])
    assert len(evaluations) == 9


def test_calibration_spread_against_agreed_score_else_median(quality):
    # S1: reference = agreed E6 = 1.0; Eva 10/12, Bo 11/12. S2: no agreed, median(0.5, 1, 1) = 1.0.
    with store.reading(quality) as con:
        spread = series.calibration_spread(con, W10)
    got = {r.evaluator: (pytest.approx(r.spread), r.evaluations) for r in spread.itertuples()}
    assert got == {"Bo": (pytest.approx((1 / 12 + 0) / 2), 2), "Cy": (0, 1), "Eva": (pytest.approx((2 / 12 + 0.5) / 2), 2)}


def test_fcr_repeat_within_n_days_belongs_to_the_first_answerer(card, quality):
    # Acme answered with a customer id: f1 (K1 again after exactly 7 days: miss), f3 (7 days + 1 s: resolved),
    # f4 (the in-house leg of the same call is no repeat: resolved), f6 (K4 again 30 min later: miss).
    # f5 and f8/f9 have no customer id.
    fcr = card.figure("fcr")
    # The data ends on 11 March, before 8 March + 7 days: the figure is provisional, not yet judged
    # (tests/test_metrics_fcr_provisional.py judges it once the window is held).
    assert (fcr.value, fcr.numerator, fcr.sample_size, fcr.status) == (0.5, 2, 4, "provisional")
    assert fcr.provisional_until == date(2026, 3, 16)
    with store.reading(quality) as con:
        house = scorecard(con, None, periods.parse("2026-W11")).figure("fcr")
    assert (house.value, house.sample_size) == (1.0, 2)  # f2 and f3b, nobody called again


def test_csat_top2_mean_and_nps_with_sample_sizes(card):
    top2, mean, nps = card.figure("csat_top2"), card.figure("csat_mean"), card.figure("nps")
    assert (top2.value, top2.sample_size, top2.status) == (0.5, 4, "green")
    assert (mean.value, mean.sample_size) == (3.25, 4)
    # promoters 10, 9, 9; detractors 6, 0; passive 8: 100 x (3 - 2) / 6
    assert (nps.value, nps.sample_size) == (pytest.approx(100 / 6), 6)
    assert nps.status == "green"  # 16.7 points >= the agreed 10


def test_transfer_back_volume_and_forecast(card):
    tb = card.figure("transfer_back_rate")
    assert (tb.value, tb.sample_size, tb.status) == (pytest.approx(1 / 7), 7, "amber")
    # Calls f1 f3 f4 f5 f6 f7 f8 f9 (f4's in-house and Acme legs are one call): Acme was routed all but
    # f7 (K4 calling again, abandoned in-house), 7 of 8. By answered legs it read 7 of 7 before issue 15.
    assert card.figure("volume_share").value == 7 / 8
    assert card.figure("answered_share").value == 1.0  # in-house answered no call in W10
    forecast = card.figure("forecast_accuracy")
    assert (forecast.numerator, forecast.denominator, forecast.value) == (7, 4, 1.75)


def test_more_legs_than_forecast_excuse_no_miss_on_days_the_partner_was_short_staffed(card):
    # Within T = 20 s: f3, f5, f8, f9 of 7 answered legs. Each day with legs (Tue 3, Wed 1, Thu 2,
    # Fri 1) is above its forecast 4 / 7 x 1.1, but Tuesday was staffed 45 of 60 contracted minutes
    # (75 %) and the other days have no staffing rows: none excuses, so the miss stands (issue 15;
    # the weekly rule excused it on 7 legs > 4 x 1.1).
    sl = card.figure("service_level")
    assert (sl.numerator, sl.denominator, sl.status, sl.status_text) == (4, 7, "red", "✖ missed")
    assert sl.note == ("not excused: staffed 75 % of contract on Tue 3 Mar 2026 (floor 95 %); "
                       "no staffing data on Wed 4 Mar 2026, Thu 5 Mar 2026, Fri 6 Mar 2026")


def test_interval_attainment_counts_only_intervals_inside_opening_hours(card, quality):
    # Inside Tue 08:00-12:00 local: 09:00 (f8, met) and 11:00 (f1, missed); 12:00 (f9) is closed.
    attainment = card.figure("interval_sl_attainment")
    assert (attainment.numerator, attainment.denominator) == (1, 2)
    with store.reading(quality) as con:
        intervals = series.interval_availability(con, W10, partner_ids=(1,))
    inside = intervals[intervals.inside_hours]
    assert sorted(str(t) for t in inside.interval_start) == ["2026-03-03 09:00:00", "2026-03-03 11:00:00"]
    assert list(inside.sort_values("interval_start").met) == [True, False]


def test_staffed_versus_contracted_and_agents_logged_in(card, quality):
    assert card.figure("staffed_vs_contracted").value == 45 / 60
    with store.reading(quality) as con:
        staffing = series.staffing(con, W10, partner_ids=(1,))
    f1 = staffing[staffing.interval_utc.astype(str) == "2026-03-03 10:00:00"].iloc[0]
    # One call of 100 s AHT in 900 s: 0.111 erlangs; one agent reaches 80 % within 20 s? see test_metrics_erlang.
    assert (f1.offered, f1.agents_logged_in, f1.agents_contracted) == (1, 1.0, 2.0)
    assert f1.agents_needed == 1


def test_partner_scope_is_enforced_where_data_is_read(quality):
    with store.reading(quality) as con:
        assert series.qa_evaluations(con, W10, partner_ids=(2,)).empty
        assert series.calibration_spread(con, W10, partner_ids=()).empty
        assert set(series.trend(con, W10, partner_ids=(1,)).partner_id) == {1}


def test_quality_trend_has_each_weeks_figures_with_sample_sizes(quality):
    with store.reading(quality) as con:
        trend = series.quality_trend(con, W10, partner_ids=(1,), weeks=2)
    assert list(trend.week) == ["2026-W09", "2026-W10"]
    w10 = trend.iloc[1]
    assert (w10.fcr, w10.fcr_n, w10.qa_score_n, w10.csat_top2, w10.csat_top2_n, w10.nps_n) == (0.5, 4, 2, 0.5, 4, 6)
    assert w10.transfer_back_rate == pytest.approx(1 / 7)
    assert pd.isna(trend.iloc[0].fcr) and trend.iloc[0].fcr_days == 7
