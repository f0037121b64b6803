"""Where a miss was lost (metrics.misses) and the Overview's line for it, on a hand-counted week.

W11 2026 (Mon 9 - Sun 15 Mar, Europe/Stockholm = UTC+1). Acme: SL target 80 %, T 20 s, open every
day 08:00-22:00. Every leg is answered, within T (wait 10 s) or late (wait 60 s):
    Mon 09:00 10 within         18:00 2 within, 8 late
    Tue 09:00 10 within         18:00 5 within, 5 late
    Wed 09:00 10 within         19:00 4 within, 6 late
    Thu 09:00 10 within         14:00 10 within
The week: 61 of 80 within T = 76.25 %, a miss. The gap (0.8 x legs - within) per weekday: Mon
16 - 12 = 4, Tue 16 - 15 = 1, Wed 16 - 14 = 2, Thu 16 - 20 = -4; Monday alone holds 4/7 of the
positive gaps (< 60 %), Monday and Wednesday 6/7: those two are named. Per hour: 09 -8, 14 -2,
18 (Mon+Tue: 7 of 20) 9, 19 (4 of 10) 4: 18-20 lost all 13 in 2 of the 4 hours with legs.
Staffing (logged-in / contracted agent-minutes): Mon 480/600, Wed 400/500, Thu 500/500: on Monday
and Wednesday 880/1100 = 80 %.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from data import rollups, store
from metrics import misses
from metrics.misses import When
from metrics.scorecard import scorecard
from partners import agreements, hours, periods
from reports import views

W11 = periods.parse("2026-W11")
TZ = "Europe/Stockholm"
LEGS = [  # (UTC start, within T, late)
    ("2026-03-09 08:00", 10, 0), ("2026-03-09 17:00", 2, 8),
    ("2026-03-10 08:00", 10, 0), ("2026-03-10 17:00", 5, 5),
    ("2026-03-11 08:00", 10, 0), ("2026-03-11 18:00", 4, 6),
    ("2026-03-12 08:00", 10, 0), ("2026-03-12 13:00", 10, 0),
]
STAFFING = {"2026-03-09": (480, 600), "2026-03-11": (400, 500), "2026-03-12": (500, 500)}


def _week(db) -> None:
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme')")
        con.execute("INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'acme', 1)")
        agreements.add_version(con, 1, date(2026, 1, 1), sl_target=0.8, sl_threshold_s=20)
        hours.add_version(con, 1, date(2026, 1, 1), hours.parse("mon-sun 08:00-22:00"), actor="test")
        for start, within, late in LEGS:
            for n, wait in enumerate([10] * within + [60] * late):
                con.execute("INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id) "
                            "VALUES (1, ?, ?::TIMESTAMPTZ + to_seconds(?), 'answered', ?, 100, 1)",
                            [f"{start}-{n}", f"{start}:00+00", n * 30, wait])
        for day, (logged_in, contracted) in STAFFING.items():
            con.execute("INSERT INTO staffing VALUES (1, ?::TIMESTAMPTZ, ?, ?, 1)", [f"{day} 11:00:00+00", contracted, logged_in])
        rollups.rebuild_all(con)


def test_the_miss_is_placed_on_monday_and_wednesday_evenings_with_their_staffing(db):
    _week(db)
    with store.reading(db) as con:
        card = scorecard(con, 1, W11, TZ)
        whens = misses.when_missed(con, 1, W11, TZ, ["service_level", "qa_score"])
    sl = card.figure("service_level")
    assert (sl.numerator, sl.denominator, sl.status) == (61, 80, "amber")
    assert whens == {"service_level": When("service_level", (0, 2), False, (18, 20), Decimal("0.8"))}
    assert views.miss_lines(card, whens, ("service_level",)) == [
        "Service level (abandons-count) ▲ near, 76.2 % against min 80.0 %: Monday and Wednesday, "
        "evenings 18-20; staffed 80.0 % of contract on those days"]


def test_a_met_figure_has_no_place_and_no_line(db):
    _week(db)
    with store.writing(db) as con:
        agreements.add_version(con, 1, date(2026, 3, 1), sl_target=0.75, sl_threshold_s=20)
    with store.reading(db) as con:
        card = scorecard(con, 1, W11, TZ)
        assert misses.when_missed(con, 1, W11, TZ, ["service_level"]) == {}
    assert views.miss_lines(card, {}, ("service_level",)) == []


def test_a_miss_spread_over_the_week_names_no_days_and_a_month_says_mondays():
    spread = When("service_level", (), False, None, None)
    assert views.when_text(spread) == "spread over the week"
    monthly = When("abandon_rate", (0, 2, 4), True, (9, 13), Decimal("0.7645"))
    assert views.when_text(monthly) == ("Mondays, Wednesdays and Fridays, 09-13; "
                                        "staffed 76.4 % of contract on those days")
