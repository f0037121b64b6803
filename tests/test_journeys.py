"""The customer's call and the centre's side (issue 15), counted by hand on the queue_log of
tests/test_outcomes.py with one call more:

  c13 Monday 16 Nov 11:20 local: house times out after 25 s, alfa times out after 40 s, the call
      comes back in-house (queue `service`) and is answered there after 5 s: sent back and forth (two
      unanswered crossings between in-house and alfa), overflowed after 25 s in-house. (It comes back
      to another in-house queue: a leg is (queue, call id), so a call entering the same queue twice is
      one leg to every importer.)

Alfa's agreement lets a call overflow after 30 s in-house (overflow_after_s = 30); T = 20 s, S = 5 s.
Calls routed to alfa in W47 and what the caller went through (in-house before alfa / at alfa / total):
  c1  house 30, alfa answered 5                      30 /  5 / 35   answered, not within T
  c2  alfa turned away 0, house answered 12          0 /  0 / 12   answered within T
  c3  house 20, alfa answered 30 (transfers back)    20 / 30 / 50   answered, not within T
  c4  alfa times out 60, lost                         0 / 60 / 60   lost
  c5  house 8, alfa hangs up after 3                  8 /  3 / 11   given up, not within S at call level
  c6  alfa key pressed after 15                       0 / 15 / 15   lost
  c7  alfa FULL                                       0 /  0 /  0   lost (turned away: not given up)
  c8  alfa CLOSED 21:00, house answered 4             0 /  0 /  4   answered within T
  c13 house 25, alfa 40, house answered 5            25 / 40 / 70   answered, not within T
W48: c10 alfa JOINEMPTY 07:00 (0/0/0, lost), c9 JOINUNAVAIL (0/0/0, lost), c11 alfa answered 10 (0/10/10).
"""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

import cli
from data import store
from metrics import measures
from metrics.scorecard import scorecard
from partners import agreements, hours
from tests.test_outcomes import TZ, W47, W48, at, import_log, log_lines

C13 = [
    f"{at(16, '11:20')}|c13|house|NONE|ENTERQUEUE||0701000013|1",
    f"{at(16, '11:20', 25)}|c13|house|NONE|EXITWITHTIMEOUT|1|1|25",
    f"{at(16, '11:20', 25)}|c13|alfa|NONE|ENTERQUEUE||0701000013|1",
    f"{at(16, '11:20', 65)}|c13|alfa|NONE|EXITWITHTIMEOUT|1|1|40",
    f"{at(16, '11:20', 65)}|c13|service|NONE|ENTERQUEUE||0701000013|1",
    f"{at(16, '11:20', 70)}|c13|service|Agent/1|CONNECT|5|c13.3|1",
    f"{at(16, '11:22', 70)}|c13|service|Agent/1|COMPLETECALLER|5|120|1",
]


@pytest.fixture
def alfa(db, tmp_path) -> int:
    partner_id, summary = import_log(db, tmp_path, log_lines() + C13, in_house=("house", "service"))
    assert (summary.imported, summary.rejected) == (20, 0)
    with store.writing(db) as con:
        hours.add_version(con, partner_id, dt.date(2026, 11, 1), hours.parse("mon-fri 08:00-20:00"), actor="test")
        agreements.add_version(con, partner_id, dt.date(2026, 11, 1), overflow_after_s=30)
    return partner_id


def test_c13_is_classified_as_the_caller_went(alfa, db):
    legs = store.query("SELECT q.name, outcome, wait_s FROM call_legs JOIN queues q USING (queue_id) "
                       "WHERE call_id = 'c13' ORDER BY offered_at, wait_s", path=db).rows
    assert legs == [("house", "overflowed", 25), ("alfa", "overflowed", 40), ("service", "answered", 5)]


def test_the_customers_call_by_hand(alfa, db):
    with store.reading(db) as con:
        card = scorecard(con, alfa, W47, TZ)
    got = {name: (card.figure(name).numerator, card.figure(name).denominator)
           for name in ("in_house_wait_s", "partner_wait_s", "total_wait_s", "customer_service_level")}
    assert got == {
        "in_house_wait_s": (30 + 20 + 8 + 25, 9),
        "partner_wait_s": (5 + 30 + 60 + 3 + 15 + 40, 9),
        "total_wait_s": (35 + 12 + 50 + 60 + 11 + 15 + 0 + 4 + 70, 9),
        "customer_service_level": (2, 9),  # c2 and c8 within 20 s; nobody gave up within 5 s of total wait
    }
    assert card.figure("total_wait_s").value == pytest.approx(257 / 9)
    # beside it, the partner's own service level on its legs: 1 (c1) / (2 answered + 3 abandoned (c4 c5 c6)
    # - 1 short (c5) + 2 turned away inside hours (c2 c7)) = 1/6; c13's alfa leg overflowed, not in it
    sl = card.figure("service_level")
    assert (sl.numerator, sl.denominator) == (1, 6)
    assert {f.metric for f in card.family("customer")} == {"customer_service_level", "total_wait_s", "in_house_wait_s",
                                                 "partner_wait_s"}


def test_the_overflow_audit_by_hand(alfa, db):
    with store.reading(db) as con:
        w47, w48 = scorecard(con, alfa, W47, TZ), scorecard(con, alfa, W48, TZ)
    audit = {name: (w47.figure(name).value, w47.figure(name).denominator)
             for name in ("calls_overflowed_early", "calls_outside_hours", "calls_back_and_forth")}
    assert audit == {
        "calls_overflowed_early": (3, 4),   # c3 (20 s), c5 (8 s), c13 (25 s) of the overflowed c1 c3 c5 c13; c1 waited 30
        "calls_outside_hours": (1, 9),      # c8 at 21:00
        "calls_back_and_forth": (1, 9),     # c13; c2 crossed once, c3 was answered before going back
    }
    assert (w48.figure("calls_outside_hours").value, w48.figure("calls_back_and_forth").value) == (1, 0)  # c10 07:00
    assert w48.figure("calls_overflowed_early").value == 0  # no call of W48 waited in-house
    assert w48.figure("customer_service_level").numerator == 1 and w48.figure("customer_service_level").denominator == 3
    centre = [f.metric for f in w47.family("centre")]
    assert centre == ["volume_share", "forecast_accuracy", "calls_outside_hours", "calls_overflowed_early",
                      "calls_back_and_forth"]  # no minimum agreed: no shortfall figures


def test_without_an_agreed_in_house_wait_nothing_is_early(db, tmp_path):
    import_log(db, tmp_path, log_lines() + C13, in_house=("house", "service"))
    with store.reading(db) as con:
        card = scorecard(con, 1, W47, TZ)
        found = measures.measure(con, W47, TZ, fcr_days=7, partner_ids=(1,))[1]
    assert "calls_overflowed_early" not in {f.metric for f in card.figures}
    assert found["calls_overflowed_early"].value is None and found["calls_overflowed_early"].denominator == 4
    # without opening hours alfa is open around the clock: nothing is routed outside them
    assert card.figure("calls_outside_hours").value == 0


def _csv(capsys, grain: str) -> dict[tuple[str, str], dict[str, str]]:
    assert cli.main(["metrics", "--grain", grain, "--by", "partner", "--start", "2026-11-16", "--end", "2026-11-29",
                     "--tz", TZ]) == 0
    return {(r["period_start"], r["group"]): r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}


@pytest.mark.parametrize("grain", ["day", "week"])
def test_calls_routed_shares_turned_away_and_abandons_by_day_and_week(alfa, db, capsys, monkeypatch, grain):
    """W47's calls all begin on Monday 16 Nov and W48's on Monday 23 Nov, so a day and its ISO week agree.
    W47: 10 calls (c1-c8, c12, c13); routed to alfa 9 (all but c12), to in-house 7 (c1 c2 c3 c5 c8 c12 c13).
    Answered calls: c1 c2 c3 c8 c13 = 5; by alfa c1 c3 = 2; in-house c2 c8 c13 = 3."""
    monkeypatch.setenv("OVERFLOW_DB", str(db))
    found = _csv(capsys, grain)
    alfa_w47, house_w47 = found["2026-11-16", "Alfa BPO"], found["2026-11-16", "in-house"]
    columns = ("offered", "calls_routed", "turned_away", "abandoned", "answered")
    assert [int(alfa_w47[c]) for c in columns] == [9, 9, 3, 3, 2]  # abandoned c4 c5 c6; c13 overflowed
    assert [int(house_w47[c]) for c in columns] == [8, 7, 0, 1, 3]  # legs: c13 has two in-house legs
    assert (float(alfa_w47["volume_share"]), float(alfa_w47["answered_share"])) == pytest.approx((9 / 10, 2 / 5))
    assert (float(house_w47["volume_share"]), float(house_w47["answered_share"])) == pytest.approx((7 / 10, 3 / 5))
    alfa_w48 = found["2026-11-23", "Alfa BPO"]
    assert [int(alfa_w48[c]) for c in columns] == [3, 3, 2, 0, 1]
    assert (float(alfa_w48["volume_share"]), float(alfa_w48["answered_share"])) == (1.0, 1.0)
