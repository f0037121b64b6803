"""FCR is provisional, with no met/missed status, until the held call data covers its repeat window.

Fixture by hand (Europe/Stockholm is UTC+1 in March 2026): partner Acme answers two calls in
2026-W10 (Mon 2 - Sun 8 March), C1 on Friday and C2 on Sunday, the period's last day. C1 calls the
in-house queue again on Monday 9 March: a repeat within 7 days, so Acme's FCR is 1 resolved / 2 = 50 %.
With the agreement's 7 days the week is final once the data reaches 8 + 7 = 15 March; until then it is
"provisional until 2026-03-16" (the day after the window closes). Its target fcr_min 60 % would make
50 % red (10 points short, tolerance 5 points).
"""
from __future__ import annotations

from datetime import date

import pytest

from data import rollups, store
from meetings import meetings
from metrics import statuses
from metrics.scorecard import scorecard
from partners import agreements, periods
from reports import exports, frames

W10 = periods.parse("2026-W10")

LEGS = """
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, customer_id, batch_id) VALUES
 (2, 'a1', '2026-03-06 10:00:00+00', 'answered', 10, 100, 'C1', 1),
 (2, 'a2', '2026-03-08 10:00:00+00', 'answered', 10, 100, 'C2', 1),
 (1, 'h1', '2026-03-09 10:00:00+00', 'answered', 10, 100, 'C1', 1)
"""


def add_leg(db, call_id: str, offered_at: str) -> None:
    """One more in-house leg of an unrelated customer: it only moves the end of the held data."""
    with store.writing(db) as con:
        con.execute("INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, customer_id, batch_id) "
                    "VALUES (1, ?, ?, 'answered', 10, 100, 'C9', 1)", [call_id, offered_at])
        rollups.rebuild_all(con)


@pytest.fixture
def acme(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme')")
        con.execute("INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL), (2, 'acme', 1)")
        con.execute(LEGS)
        rollups.rebuild_all(con)
        agreements.add_version(con, 1, date(2026, 1, 1), fcr_min=0.6, quality_judgement="point")
    return db


def fcr(db):
    with store.reading(db) as con:
        return scorecard(con, 1, W10).figure("fcr")


def test_the_rule_on_days():
    # W10 ends (exclusive) on 9 March; last day 8 March + 7 = 15 March.
    assert statuses.provisional_until(date(2026, 3, 9), 7, date(2026, 3, 14)) == date(2026, 3, 16)
    assert statuses.provisional_until(date(2026, 3, 9), 7, date(2026, 3, 15)) is None
    assert statuses.provisional_until(date(2026, 3, 9), 3, date(2026, 3, 11)) is None
    assert statuses.provisional_until(date(2026, 3, 9), 3, date(2026, 3, 10)) == date(2026, 3, 12)
    assert statuses.provisional_until(date(2026, 3, 9), 7, None) is None


def test_calls_in_the_last_days_of_data_are_provisional(acme):
    figure = fcr(acme)
    assert (figure.value, figure.numerator, figure.sample_size) == (0.5, 1, 2)
    assert figure.status == "provisional" and figure.provisional_until == date(2026, 3, 16)
    assert figure.status_text == "◷ provisional until 2026-03-16"
    assert figure.target == 0.6  # the target is still shown, only not judged


def test_the_last_day_before_the_window_closes_is_still_provisional(acme):
    add_leg(acme, 'h2', '2026-03-14 22:30:00+00')  # 23:30 on Saturday 14 March in Stockholm
    assert fcr(acme).status_text == "◷ provisional until 2026-03-16"


def test_once_the_window_is_held_the_figure_is_judged(acme):
    add_leg(acme, 'h2', '2026-03-14 23:30:00+00')  # 00:30 on Sunday 15 March in Stockholm
    figure = fcr(acme)
    assert (figure.value, figure.status, figure.provisional_until) == (0.5, "red", None)
    assert figure.status_text == "✖ missed"


def test_a_shorter_agreed_window_is_final_sooner(acme):
    with store.writing(acme) as con:
        agreements.add_version(con, 1, date(2026, 1, 1), fcr_min=0.4, fcr_days=3, quality_judgement="point")
    add_leg(acme, 'h2', '2026-03-11 12:00:00+00')  # data to Wednesday 11 March = 8 + 3
    figure = fcr(acme)
    # C1's repeat on 9 March is within 3 days of 6 March: still 1 of 2 resolved.
    assert (figure.value, figure.status) == (0.5, "green")


def test_every_place_that_shows_the_status_says_provisional(acme):
    with store.reading(acme) as con:
        card = scorecard(con, 1, W10)
        snapshot = frames.snapshot(con, 1, W10, "Europe/Stockholm")
    overview = frames.overview_table([card]).loc[0]
    # with its evidence (issue 17): Wilson 95 % for 1 of 2 by hand, centre 0.5, half-width
    # 1.96 * sqrt(0.125 + 0.9604 / 4 / 1) / 2.9208 = 0.4055: 9.5 % to 90.5 %
    assert (overview["fcr"], overview["fcr_n"], overview["fcr_status"]) == (
        0.5, 2, "◷ provisional until 2026-03-16 · 50.0 % (9.5–90.5) · n = 2")
    shown = frames.figures_table(card).set_index("figure")
    assert shown.loc["First-contact resolution", "status"] == "◷ provisional until 2026-03-16 · 50.0 % (9.5–90.5) · n = 2"
    frozen = next(f for f in snapshot.figures if f.metric == "fcr")
    assert (frozen.status, frozen.provisional_until) == ("provisional", "2026-03-16")
    again = meetings.Snapshot.from_json(snapshot.to_json())
    table = exports.figures_table(again, "quality", "Quality").shown.set_index("figure")
    assert table.loc["First-contact resolution", "status"] == "◷ provisional until 2026-03-16 · 50.0 % (9.5–90.5) · n = 2"


def test_other_figures_are_not_provisional(acme):
    with store.reading(acme) as con:
        card = scorecard(con, 1, W10)
    assert {f.metric for f in card.figures if f.status == "provisional"} == {"fcr"}
