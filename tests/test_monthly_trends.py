"""A month's trends run by month (issue 16: November's ran in ISO weeks to W49, taking in December
days), and each month's point is that month's scorecard figure, counted by hand.

Acme, Stockholm, abandons-count, T = 20 s, S = 5 s:
  Oct 2026  o1 answered 10 s | o2 answered 25 s | o3 abandoned 30 s        SL 1/3, ASA (10+25)/2 = 17.5 s
  Nov 2026  n2 answered 25 s (Mon 2) | n3 answered 5 s (Mon 16)
            n1 answered 10 s (Mon 30, 23:30: in W49 with December's days)  SL 2/3, ASA 40/3 s
  Dec 2026  d1 abandoned 40 s (Tue 1) | d2 answered 30 s (Thu 3)           (W49 alone: n1, d1, d2 = SL 1/3)
"""
from __future__ import annotations

import datetime as dt

import pytest

from data import store
from ingest.importing import import_file
from meetings import meetings
from metrics import reads
from metrics.scorecard import scorecard
from partners import agreements, periods, registry
from reports import exports, frames, views

TZ = "Europe/Stockholm"
NOVEMBER = periods.parse("2026-11")
LEGS = """call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id
o1,Acme Q,Acme,2026-10-05T10:00:00,answered,10,100,0,0,,
o2,Acme Q,Acme,2026-10-06T10:00:00,answered,25,100,0,0,,
o3,Acme Q,Acme,2026-10-07T10:00:00,abandoned,30,,,,,
n2,Acme Q,Acme,2026-11-02T10:00:00,answered,25,100,0,0,,
n3,Acme Q,Acme,2026-11-16T10:00:00,answered,5,100,0,0,,
n1,Acme Q,Acme,2026-11-30T23:30:00,answered,10,100,0,0,,
d1,Acme Q,Acme,2026-12-01T10:00:00,abandoned,40,,,,,
d2,Acme Q,Acme,2026-12-03T10:00:00,answered,30,100,0,0,,
"""


@pytest.fixture
def acme(db, tmp_path):
    with store.writing(db) as con:
        partner = registry.add_partner(con, "Acme")
        agreements.add_version(con, partner, dt.date(2025, 1, 1), sl_variant="abandons-count", sl_threshold_s=20,
                               short_abandon_s=5, sl_target=0.8, asa_max_s=20)
    path = tmp_path / "legs.csv"
    path.write_text(LEGS, encoding="utf-8")
    import_file(path, tz=TZ, db=db)
    return partner


def test_a_months_trend_has_thirteen_months_each_equal_to_its_scorecard(db, acme):
    with store.reading(db) as con:
        trend = reads.availability_trends(con, acme, NOVEMBER, TZ)
        cards = {label: scorecard(con, acme, periods.parse(label), TZ) for label in ("2026-10", "2026-11")}
    sl = trend[trend["metric"] == "service_level"]
    assert list(sl["period"]) == [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 12)]
    by_month = dict(zip(sl["period"], sl["value"]))
    assert by_month["2026-10"] == pytest.approx(1 / 3)
    assert by_month["2026-11"] == pytest.approx(2 / 3)  # not W49's 1/3: December stays out
    assert sl["value"].isna().sum() == 11
    asa = dict(zip(trend[trend["metric"] == "asa_s"]["period"], trend[trend["metric"] == "asa_s"]["value"]))
    assert (asa["2026-10"], asa["2026-11"]) == (pytest.approx(17.5), pytest.approx(40 / 3))
    for label, card in cards.items():
        assert card.figure("service_level").value == pytest.approx(by_month[label])
        assert card.figure("asa_s").value == pytest.approx(asa[label])
    assert list(sl["target"].dropna().unique()) == [0.8]


def test_a_week_still_trends_by_week_and_w49_holds_decembers_days(db, acme):
    with store.reading(db) as con:
        trend = reads.availability_trends(con, acme, periods.parse("2026-W49"), TZ)
    sl = trend[trend["metric"] == "service_level"]
    assert list(sl["period"])[-2:] == ["2026-W48", "2026-W49"]
    assert sl["value"].iloc[-1] == pytest.approx(1 / 3)


def test_the_monthly_scorecard_file_and_headings_say_months(db, acme):
    with store.reading(db) as con:
        snapshot = frames.snapshot(con, acme, NOVEMBER, TZ)
        quality = reads.quality_trends(con, acme, NOVEMBER, TZ)
    assert exports.trend_step(snapshot) == "month"
    assert set(quality.groupby("metric")["period"].last()) == {"2026-11"}
    assert [c.title for c in exports.charts_for(snapshot)["availability"]][:1] == ["Service level, monthly"]
    assert views.trend_heading(NOVEMBER) == "13-month trends"
    assert views.trend_heading(periods.parse("2026-W47")) == "13-week trends"
    frozen = meetings.Snapshot.from_json(snapshot.to_json())
    assert exports.trend_step(frozen) == "month"
