"""A quality figure's change is real only when significant (issue 17): on the scorecard against the
period before, and on the meeting pack's differences (frozen against today's data). Hand-worked.

Acme, agreement qa_min 0.80, qa_min_n 5. W09 (23 Feb - 1 Mar 2026): five evaluations 0.9, 0.9, 1.0,
0.9, 0.8 (mean 0.90, s = 0.0707). W10 (2-8 Mar): five at 0.5, 0.5, 0.6, 0.5, 0.5 (mean 0.52, s = 0.0447).
Welch: se = sqrt(0.005 / 5 + 0.002 / 5) = 0.0374, df = 0.0374^4 / ((0.001^2 + 0.0004^2) / 4) = 6.76,
t(0.975; 6.76) = 2.38: 0.52 - 0.90 = -0.38 +- 0.089, which leaves out 0: a real drop.
W11 (9-15 Mar): five at 0.5, 0.6, 0.5, 0.6, 0.5 (mean 0.54, s = 0.0548): -0.02 from W10 +- about
0.075 (se 0.0316, df 7.7, t 2.33): within noise.
"""
from __future__ import annotations

from datetime import date

import pytest

from data import settings, store
from meetings import meetings as m
from metrics.scorecard import scorecard
from partners import agreements, periods
from reports import exports, frames, views

WEEKS = {"2026-02-24": (9, 9, 10, 9, 8), "2026-03-03": (5, 5, 6, 5, 5), "2026-03-10": (5, 6, 5, 6, 5)}


def _evaluations(con, day: str, points: tuple[int, ...], prefix: str) -> None:
    for n, scored in enumerate(points):
        con.execute("INSERT INTO qa_evaluations (evaluation_id, queue_id, evaluator, evaluated_at, batch_id) "
                    "VALUES (?, 1, 'Eva', ?::TIMESTAMPTZ + to_hours(?), 1)", [f"{prefix}{n}", f"{day} 10:00:00+00", n])
        con.execute("INSERT INTO qa_items (evaluation_id, section, item, points, max_points) VALUES (?, 'all', 'overall', ?, 10)",
                    [f"{prefix}{n}", scored])


@pytest.fixture
def acme(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme'); "
                    "INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'acme', 1)")
        agreements.add_version(con, 1, date(2026, 1, 1), qa_min=0.8, qa_min_n=5)
        for day, points in WEEKS.items():
            _evaluations(con, day, points, day)
    return db


def test_a_real_drop_and_a_change_within_noise_on_the_scorecard(acme):
    with store.reading(acme) as con:
        drop = scorecard(con, 1, periods.parse("2026-W10")).figure("qa_score")
        steady = scorecard(con, 1, periods.parse("2026-W11")).figure("qa_score")
    assert (drop.value, drop.previous_value, drop.change_real) == (pytest.approx(0.52), pytest.approx(0.90), True)
    assert views.change_chip(drop) == ("↓ -38.0 pts worse (real change)", "worse")
    assert (steady.value, steady.change_real) == (pytest.approx(0.54), False)
    assert views.change_chip(steady) == ("↑ +2.0 pts within noise", "neutral")
    assert views.quality_change(steady) == "+2.0 pts, within noise"


def test_the_meeting_pack_says_whether_a_difference_since_the_meeting_is_real(acme):
    week = periods.parse("2026-W10")
    with store.writing(acme) as con:
        tz = settings.get(con, "reporting_tz")
        frozen = frames.snapshot(con, 1, week, tz)
        meeting_id = m.save_meeting(con, 1, m.Minutes(date(2026, 3, 9), week, attendees="Eva"), frozen, "test")
        # a late import: five more W10 evaluations at 1.0 -> today's W10 is ten evaluations, mean 0.76,
        # s = sqrt(0.584 / 9) = 0.2547. Welch se = sqrt(0.002 / 5 + 0.06489 / 10) = 0.0830, df 10.1,
        # t(0.975; 10.1) = 2.23: 0.24 +- 0.185 leaves out 0: real.
        _evaluations(con, "2026-03-05", (10, 10, 10, 10, 10), "late")
        today = frames.snapshot(con, 1, week, tz)
    with store.reading(acme) as con:
        saved = m.get_meeting(con, meeting_id).snapshot
    qa = next(d for d in m.compare(saved, today) if d.metric == "qa_score")
    assert (qa.frozen_value, qa.current_value, qa.real_change) == (pytest.approx(0.52), pytest.approx(0.76), True)
    table = exports.differences_table([qa]).shown
    assert table["real change?"].tolist() == ["real change"]
    # a meeting frozen before sums of squares were kept cannot test a mean's change: it says nothing
    older = m.FrozenFigure(**{**vars(next(f for f in saved.figures if f.metric == "qa_score")), "sum_squares": None})
    assert m._difference(older, next(f for f in today.figures if f.metric == "qa_score")).real_change is None
