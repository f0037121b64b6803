"""One answer to "which terms apply" (partners.terms), and the defects it fixed (issue 14), each on
legs counted by hand.

The week 2026-W11 (Mon 9 - Sun 15 Mar, Stockholm, UTC+1): Acme has six legs, in-house four.
  Mon 9   a1 answered wait 10 | a2 answered wait 25 | a3 abandoned wait 30
  Thu 12  a4 answered wait 15 | a5 answered wait 28 | a6 overflowed wait 40
  in-house (Mon 9): h1 answered wait 10 | h2 answered wait 25 | h3 abandoned wait 2 | h4 overflowed wait 50
"""
from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from data import store
from ingest.importing import import_file
from metrics import series, statuses
from metrics.definitions import metric
from metrics.scorecard import benchmark, scorecard
from metrics.tables import rows
from partners import agreements, periods, registry, terms

W11 = periods.parse("2026-W11")
TZ = "Europe/Stockholm"
LEGS = """call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id
a1,Acme Q,Acme,2026-03-09T10:00:00,answered,10,100,0,0,,
a2,Acme Q,Acme,2026-03-09T10:05:00,answered,25,100,0,0,,
a3,Acme Q,Acme,2026-03-09T10:10:00,abandoned,30,,,,,
a4,Acme Q,Acme,2026-03-12T10:00:00,answered,15,100,0,0,,
a5,Acme Q,Acme,2026-03-12T10:05:00,answered,28,100,0,0,,
a6,Acme Q,Acme,2026-03-12T10:10:00,overflowed,40,,,,,
h1,Main,,2026-03-09T10:00:00,answered,10,100,0,0,,
h2,Main,,2026-03-09T10:05:00,answered,25,100,0,0,,
h3,Main,,2026-03-09T10:10:00,abandoned,2,,,,,
h4,Main,,2026-03-09T10:15:00,overflowed,50,,,,,
"""


@pytest.fixture
def week(db, tmp_path):
    with store.writing(db) as con:
        registry.add_partner(con, "Acme")
    path = tmp_path / "legs.csv"
    path.write_text(LEGS, encoding="utf-8")
    import_file(path, tz=TZ, db=db)
    return db


def two_versions(con) -> None:
    """v1 abandons-count T=20 from 1 Mar; v2 answered-only T=30 from Wednesday 11 Mar."""
    agreements.add_version(con, 1, dt.date(2026, 3, 1), sl_variant="abandons-count", sl_threshold_s=20,
                           short_abandon_s=5, sl_target=0.8)
    agreements.add_version(con, 1, dt.date(2026, 3, 11), sl_variant="answered-only", sl_threshold_s=30,
                           short_abandon_s=5, sl_target=0.8)


def test_terms_in_force_give_the_version_of_the_day_and_the_settings_elsewhere(week):
    with store.writing(week) as con:
        two_versions(con)
        before, monday, wednesday = (terms.terms_in_force(con, 1, dt.date(2026, 3, d)) for d in (1, 9, 11))
        in_house = terms.terms_in_force(con, None, dt.date(2026, 3, 11))
        early = terms.terms_in_force(con, 1, dt.date(2026, 2, 28))
        cut = terms.parts(con, 1, periods.between(dt.date(2026, 2, 23), dt.date(2026, 3, 16)))
    assert (monday.sl_variant, monday.sl_threshold_s) == ("abandons-count", 20)
    assert (wednesday.sl_variant, wednesday.sl_threshold_s) == ("answered-only", 30)
    assert before == monday  # 1 March is the first version's first day
    assert (early.agreement, early.sl_variant, early.sl_threshold_s, early.fcr_days) == (None, "abandons-count", 20, 7)
    assert in_house.agreement is None
    assert [(p.start.day, p.end.day, p.terms.sl_variant, p.terms.agreement is None) for p in cut] == [
        (23, 1, "abandons-count", True), (1, 11, "abandons-count", False), (11, 16, "answered-only", False)]


def test_a_week_spanning_two_variants_reads_the_same_on_the_tile_the_trend_and_cli_metrics(week):
    with store.writing(week) as con:
        two_versions(con)
        card = scorecard(con, 1, W11, TZ)
        trend = series.trend(con, W11, TZ, (1,), weeks=1)
        table = [r for r in rows(con, "week", "partner", W11.start, W11.end, TZ) if r["group"] == "Acme"]
    sl = card.figure("service_level")
    # Whole week in answered-only (the latest part), each leg at its day's T: Monday T=20 (a1 yes,
    # a2 no), Thursday T=30 (a4, a5 yes): 3 of 4 answered = 75.0 %.
    assert (sl.label, sl.numerator, sl.denominator, sl.value) == ("Service level (answered-only)", 3, 4, 0.75)
    # The parts, each in its own variant: Mon-Tue abandons-count 1 / (2 + 1) and Wed-Sun answered-only 2 / 2.
    assert [(p.definition, p.value) for p in sl.parts] == [("service_level", pytest.approx(1 / 3)),
                                                          ("sl_answered_only", 1.0)]
    assert trend.loc[0, "service_level_agreed"] == pytest.approx(0.75)  # no longer Monday's abandons-count
    assert table[0]["sl_answered_only"] == pytest.approx(0.75)          # what `cli metrics` prints
    assert "the period's service level is in answered-only" in card.note


def test_the_in_house_benchmark_is_in_the_partners_variant_and_threshold(week):
    with store.writing(week) as con:
        agreements.add_version(con, 1, dt.date(2026, 3, 1), sl_variant="with-overflow", sl_threshold_s=30,
                               short_abandon_s=5)
        card = scorecard(con, 1, W11, TZ)
        house = benchmark(con, card)
    # In-house with-overflow at T=30: answered within 30 (h1, h2) / (answered 2 + abandoned 1 - short 1
    # (h3 waited 2 < 5) + overflowed 1) = 2 / 3. The settings' abandons-count at T=20 would say 1 / 2.
    assert house["service_level"] == pytest.approx(2 / 3)
    # Acme the same way: (a1, a2, a4, a5 within 30) / (4 + 1 + 1) = 4 / 6.
    assert card.figure("service_level").value == pytest.approx(4 / 6)


def test_the_heatmap_uses_the_agreed_variant(week):
    with store.writing(week) as con:
        agreements.add_version(con, 1, dt.date(2026, 3, 1), sl_variant="answered-only", sl_threshold_s=20)
        cells = series.sl_heatmap(con, W11, TZ, (1,))
    monday = cells[(cells["partner_id"] == 1) & (cells["weekday"] == 1)].iloc[0]
    # Monday 10-11: answered-only, a1 within 20 of a1, a2 answered: 1 / 2 (abandons-count would say 1 / 3).
    assert (monday["numerator"], monday["denominator"]) == (1, 2)


@pytest.mark.parametrize(("value", "target", "expected"), [
    (0.75, 0.80, statuses.RED),    # misses by exactly 5 points (0.8 - 0.75 is 0.050000000000000044 in floats)
    (0.80, 0.85, statuses.RED),    # misses by exactly 5 points (0.85 - 0.8 is 0.04999999999999993 in floats)
    (0.81, 0.85, statuses.AMBER),
    (0.85, 0.85, statuses.GREEN),
])
def test_a_miss_of_exactly_the_tolerance_is_red_whatever_the_float_rounding(week, value, target, expected):
    with store.writing(week) as con:
        agreements.add_version(con, 1, dt.date(2026, 3, 1), sl_target=target, amber_tolerance=0.05)
        agreed = terms.terms_in_force(con, 1, dt.date(2026, 3, 9))
    assert statuses.judge(metric("service_level"), value, agreed) == expected


def test_fcr_counts_seven_days_as_168_hours_whatever_the_servers_zone(db, tmp_path, monkeypatch):
    """A repeat 168.5 hours after the first call, across the end of summer time (25 Oct 2026): not within
    7 x 24 h, so the first call was resolved. A session in Stockholm time would add 7 local days (169 h)."""
    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        with store.writing(db) as con:
            registry.add_partner(con, "Acme")
        path = tmp_path / "fcr.csv"
        path.write_text("call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
                        "f1,Acme Q,Acme,2026-10-22T12:00:00Z,answered,5,60,0,0,,46701234567\n"
                        "f2,Main,,2026-10-29T12:30:00Z,answered,5,60,0,0,,46701234567\n", encoding="utf-8")
        import_file(path, tz=TZ, db=db)
        with store.reading(db) as con:
            fcr = scorecard(con, 1, periods.parse("2026-W43"), TZ).figure("fcr")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None
    assert (fcr.numerator, fcr.denominator) == (1, 1)
