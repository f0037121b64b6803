"""Outcomes as DOMAIN.md pins them (issue 15), on a hand-made queue_log counted by hand.

Alfa BPO owns queue `alfa` (Europe/Stockholm, UTC+1 in November), open mon-fri 08:00-20:00 from
1 Nov 2026; `house` is in-house. T = 20 s, S = 5 s (the settings). Local times:

W47, Monday 16 Nov 2026
  c1  10:00 house, times out after 30 s, enters alfa, answered there after 5 s      house overflowed, alfa answered
  c2  10:10 alfa JOINEMPTY (nobody logged in), returns in-house, answered after 12 s alfa turned away (inside), house answered
  c3  10:20 house, times out after 20 s, alfa answers after 30 s, transfers back     house overflowed, alfa answered (late)
  c4  10:30 alfa, times out after 60 s and goes nowhere: the caller is lost          alfa abandoned (timed_out)
  c5  10:40 house emptied after 8 s, enters alfa, hangs up after 3 s                 house overflowed, alfa abandoned (short)
  c6  10:50 alfa, caller presses a key after 15 s and goes nowhere                   alfa abandoned (key_pressed)
  c7  11:00 alfa FULL                                                                alfa turned away (inside)
  c12 11:10 house, hangs up after 40 s                                               house abandoned
  c8  21:00 alfa CLOSED (after hours), answered in-house after 4 s                   alfa turned away (outside), house answered
W48, Monday 23 Nov 2026
  c10 07:00 alfa JOINEMPTY (before opening)                                          alfa turned away (outside)
  c9  09:00 alfa JOINUNAVAIL                                                         alfa turned away (inside)
  c11 09:10 alfa, answered after 10 s                                                alfa answered
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from data import store
from ingest.importing import import_file
from metrics import aggregate, measures
from metrics.scorecard import scorecard
from partners import agreements, hours, periods, registry
from tests.conftest import old_database, pseudonym

TZ = "Europe/Stockholm"
W47, W48 = periods.parse("2026-W47"), periods.parse("2026-W48")


def at(day: int, clock: str, plus_s: int = 0) -> int:
    """Epoch seconds of a local Stockholm time in November 2026, plus some seconds."""
    hour, minute = map(int, clock.split(":"))
    return int(dt.datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(TZ)).timestamp()) + plus_s


def log_lines() -> list[str]:
    m = 16
    return [
        f"{at(m, '09:00')}|NONE|alfa|Agent/7|AGENTLOGIN|",
        f"{at(m, '10:00')}|c1|house|NONE|ENTERQUEUE||0701000001|1",
        f"{at(m, '10:00', 30)}|c1|house|NONE|EXITWITHTIMEOUT|1|1|30",
        f"{at(m, '10:00', 30)}|c1|alfa|NONE|ENTERQUEUE||0701000001|1",
        f"{at(m, '10:00', 35)}|c1|alfa|Agent/7|CONNECT|5|c1.2|1",
        f"{at(m, '10:03', 35)}|c1|alfa|Agent/7|COMPLETECALLER|5|180|1",
        f"{at(m, '10:10')}|c2|alfa|NONE|JOINEMPTY|||",
        f"{at(m, '10:10')}|c2|house|NONE|ENTERQUEUE||0701000002|1",
        f"{at(m, '10:10', 12)}|c2|house|Agent/1|CONNECT|12|c2.1|1",
        f"{at(m, '10:11', 52)}|c2|house|Agent/1|COMPLETEAGENT|12|100|1",
        f"{at(m, '10:20')}|c3|house|NONE|ENTERQUEUE||0701000003|1",
        f"{at(m, '10:20', 20)}|c3|house|NONE|EXITWITHTIMEOUT|1|1|20",
        f"{at(m, '10:20', 20)}|c3|alfa|NONE|ENTERQUEUE||0701000003|1",
        f"{at(m, '10:20', 50)}|c3|alfa|Agent/7|CONNECT|30|c3.2|1",
        f"{at(m, '10:22', 50)}|c3|alfa|Agent/7|BLINDTRANSFER|house|default|30|120|1",
        f"{at(m, '10:30')}|c4|alfa|NONE|ENTERQUEUE||0701000004|1",
        f"{at(m, '10:31')}|c4|alfa|NONE|EXITWITHTIMEOUT|1|1|60",
        f"{at(m, '10:40')}|c5|house|NONE|ENTERQUEUE||0701000005|1",
        f"{at(m, '10:40', 8)}|c5|house|NONE|EXITEMPTY|1|1|8",
        f"{at(m, '10:40', 8)}|c5|alfa|NONE|ENTERQUEUE||0701000005|1",
        f"{at(m, '10:40', 11)}|c5|alfa|NONE|ABANDON|1|1|3",
        f"{at(m, '10:50')}|c6|alfa|NONE|ENTERQUEUE||0701000006|1",
        f"{at(m, '10:50', 15)}|c6|alfa|NONE|EXITWITHKEY|1|1|1|15",
        f"{at(m, '11:00')}|c7|alfa|NONE|FULL|||",
        f"{at(m, '11:10')}|c12|house|NONE|ENTERQUEUE||0701000012|1",
        f"{at(m, '11:10', 40)}|c12|house|NONE|ABANDON|1|1|40",
        f"{at(m, '21:00')}|c8|alfa|NONE|CLOSED|||",
        f"{at(m, '21:00')}|c8|house|NONE|ENTERQUEUE||0701000008|1",
        f"{at(m, '21:00', 4)}|c8|house|Agent/1|CONNECT|4|c8.1|1",
        f"{at(m, '21:01', 4)}|c8|house|Agent/1|COMPLETECALLER|4|60|1",
        f"{at(23, '07:00')}|c10|alfa|NONE|JOINEMPTY|||",
        f"{at(23, '09:00')}|c9|alfa|NONE|JOINUNAVAIL|||",
        f"{at(23, '09:10')}|c11|alfa|NONE|ENTERQUEUE||0701000011|1",
        f"{at(23, '09:10', 10)}|c11|alfa|Agent/7|CONNECT|10|c11.2|1",
        f"{at(23, '09:13', 30)}|c11|alfa|Agent/7|COMPLETEAGENT|10|200|1",
    ]


def import_log(db, tmp_path, lines: list[str], in_house: tuple[str, ...] = ("house",)):
    """`lines` imported as one queue_log, alfa owned by Alfa BPO and `in_house` the centre's queues;
    returns (Alfa BPO's partner id, the import summary)."""
    with store.writing(db) as con:
        partner_id = registry.add_partner(con, "Alfa BPO")
        registry.set_queue(con, "alfa", partner="Alfa BPO")
        for queue in in_house:
            registry.set_queue(con, queue)
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return partner_id, import_file(path, profile="queue-log", db=db)


@pytest.fixture
def alfa(db, tmp_path) -> int:
    """The log imported with alfa owned by Alfa BPO; returns its partner id (hours not yet set)."""
    partner_id, summary = import_log(db, tmp_path, log_lines())
    # 17 legs + the agent line
    assert (summary.read, summary.imported, summary.filtered, summary.rejected) == (18, 17, 1, 0)
    return partner_id


def set_hours(db, partner_id: int) -> None:
    with store.writing(db) as con:
        hours.add_version(con, partner_id, dt.date(2026, 11, 1), hours.parse("mon-fri 08:00-20:00"), actor="test")


def test_every_exit_kind_gives_its_outcome_and_end_reason(alfa, db):
    legs = store.query("SELECT q.name, call_id, outcome, end_reason, wait_s FROM call_legs JOIN queues q USING (queue_id) "
                       "ORDER BY offered_at, q.name", path=db).rows
    assert legs == [
        ("house", "c1", "overflowed", "timed_out", 30),
        ("alfa", "c1", "answered", "answered", 5),
        ("alfa", "c2", "turned_away", "turned_away_no_agents", 0),
        ("house", "c2", "answered", "answered", 12),
        ("house", "c3", "overflowed", "timed_out", 20),
        ("alfa", "c3", "answered", "answered", 30),
        ("alfa", "c4", "abandoned", "timed_out", 60),
        ("house", "c5", "overflowed", "queue_emptied", 8),
        ("alfa", "c5", "abandoned", "hung_up", 3),
        ("alfa", "c6", "abandoned", "key_pressed", 15),
        ("alfa", "c7", "turned_away", "turned_away_full", 0),
        ("house", "c12", "abandoned", "hung_up", 40),
        ("alfa", "c8", "turned_away", "turned_away_closed", 0),
        ("house", "c8", "answered", "answered", 4),
        ("alfa", "c10", "turned_away", "turned_away_no_agents", 0),
        ("alfa", "c9", "turned_away", "turned_away_no_agents", 0),
        ("alfa", "c11", "answered", "answered", 10),
    ]
    outcomes = dict(store.query("SELECT outcome, count(*) FROM call_legs GROUP BY ALL", path=db).rows)
    assert outcomes == {"answered": 5, "abandoned": 4, "overflowed": 3, "turned_away": 5}
    transferred = store.query("SELECT call_id, transferred_to FROM call_legs WHERE transferred_to IS NOT NULL", path=db).rows
    assert transferred == [("c3", "house")]


def alfa_measures(db, partner_id: int, period) -> dict[str, measures.Measure]:
    with store.reading(db) as con:
        return measures.measure(con, period, TZ, fcr_days=7, partner_ids=(partner_id,))[partner_id]


def test_without_opening_hours_every_turned_away_leg_is_inside_them(alfa, db):
    found = alfa_measures(db, alfa, W47)
    assert (found["offered"].value, found["turned_away"].value, found["turned_away_outside_hours"].value) == (8, 3, 0)
    # 1 answered within T / (2 answered + 3 abandoned - 1 short + 3 turned away inside)
    assert (found["service_level"].numerator, found["service_level"].denominator) == (1, 7)


def test_turned_away_inside_hours_are_misses_outside_them_misrouting(alfa, db):
    set_hours(db, alfa)  # the hours version rebuilds the rollups: c8 (21:00) and c10 (07:00) fall outside
    w47 = alfa_measures(db, alfa, W47)
    assert (w47["offered"].value, w47["answered"].value, w47["abandoned"].value, w47["short_abandoned"].value,
            w47["overflowed"].value, w47["turned_away"].value, w47["turned_away_outside_hours"].value) == (8, 2, 3, 1, 0, 3, 1)
    sl = {name: (w47[name].numerator, w47[name].denominator) for name in
          ("service_level", "sl_answered_only", "sl_abandons_within_met", "sl_with_overflow", "abandon_rate",
           "turned_away_rate", "transfer_back_rate")}
    assert sl == {
        "service_level": (1, 6),            # 1 / (2 + 3 - 1 + 2 turned away inside)
        "sl_answered_only": (1, 2),         # turned-away legs are not in answered-only
        "sl_abandons_within_met": (3, 7),   # (1 + c5 and c6 left within T) / (2 + 3 + 2)
        "sl_with_overflow": (1, 6),         # 1 / (2 + 3 - 1 + 0 overflowed + 2)
        "abandon_rate": (2, 4),             # (3 - 1) / (2 + 3 - 1): turned away is no abandon
        "turned_away_rate": (2, 7),         # 2 inside / (8 offered - 1 outside)
        "transfer_back_rate": (1, 2),       # c3
    }
    w48 = alfa_measures(db, alfa, W48)
    assert (w48["offered"].value, w48["turned_away"].value, w48["turned_away_outside_hours"].value) == (3, 2, 1)
    assert (w48["service_level"].numerator, w48["service_level"].denominator) == (1, 2)     # 1 / (1 + 1 inside)
    assert (w48["turned_away_rate"].numerator, w48["turned_away_rate"].denominator) == (1, 2)  # 1 / (3 - 1)


def test_by_day_and_iso_week(alfa, db):
    set_hours(db, alfa)
    with store.reading(db) as con:
        start, _ = W47.utc_bounds(TZ)
        _, end = W48.utc_bounds(TZ)
        for grain, first, second in (("day", "2026-11-16", "2026-11-23"), ("week", "2026-11-16", "2026-11-23")):
            rows = aggregate.rollup_rows(con, tz=TZ, grain=grain, by="partner", start=start, end=end)
            got = {(r["period_start"].date().isoformat(), r["group_name"]):
                   (r["offered"], r["answered"], r["abandoned"], r["overflowed"], r["turned_away"],
                    r["turned_away_inside_hours"], r["service_level__num"], r["service_level__den"]) for r in rows}
            assert got == {
                (first, "Alfa BPO"): (8, 2, 3, 0, 3, 2, 1, 6),
                (first, "in-house"): (6, 2, 1, 3, 0, 0, 2, 3),   # c2 and c8 within T / (2 + 1 abandoned)
                (second, "Alfa BPO"): (3, 1, 0, 0, 2, 1, 1, 2),
            }, grain


def test_the_turned_away_rate_is_judged_against_its_maximum(alfa, db):
    set_hours(db, alfa)
    with store.writing(db) as con:
        agreements.add_version(con, alfa, dt.date(2026, 11, 1), turned_away_max=0.05)
    with store.reading(db) as con:
        figure = scorecard(con, alfa, W48, TZ).figure("turned_away_rate")
    assert (figure.value, figure.target, figure.status, figure.family) == (0.5, 0.05, "red", "availability")


def test_the_validator_takes_the_maximum_as_a_fraction():
    assert agreements.checked({"turned_away_max": "0.02"}) == {"turned_away_max": 0.02}
    with pytest.raises(agreements.TargetError, match="is more than 1"):
        agreements.checked({"turned_away_max": 5})


@pytest.mark.parametrize("customer_id, usable", [
    (None, False), ("", False), ("0", False), ("000", False), ("+0", False), ("withheld", False),
    ("Anonymous", False), (" UNKNOWN ", False), ("private", False), ("Restricted", False), ("<unknown>", False),
    ("0701234567", True), ("+46701234567", True), ("K1001", True), ("10", True),
])
def test_usable_customer_ids(db, customer_id, usable):
    assert store.query("SELECT usable_customer_id(?)", [customer_id], path=db).scalar() is usable


FCR_LEGS = """call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id
u1,house,,2026-11-16 10:00:00,answered,5,60,,,A1,0701234567
u2,house,,2026-11-17 10:00:00,answered,5,60,,,A1,0701234567
u3,house,,2026-11-17 11:00:00,answered,5,60,,,A1,K1001
n1,house,,2026-11-16 12:00:00,answered,5,60,,,A1,
n2,house,,2026-11-16 12:01:00,answered,5,60,,,A1,0
n3,house,,2026-11-16 12:02:00,answered,5,60,,,A1,withheld
n4,house,,2026-11-16 12:03:00,answered,5,60,,,A1,anonymous
n5,house,,2026-11-16 12:04:00,answered,5,60,,,A1,Unknown
n6,house,,2026-11-16 12:05:00,answered,5,60,,,A1,private
n7,house,,2026-11-17 12:06:00,answered,5,60,,,A1,Restricted
n8,house,,2026-11-17 12:07:00,abandoned,50,,,,,Restricted
"""


def test_fcr_leaves_out_legs_without_a_usable_customer_id_and_counts_them(db, tmp_path):
    path = tmp_path / "legs.csv"
    path.write_text(FCR_LEGS, encoding="utf-8")
    import_file(path, profile="generic", db=db, tz=TZ)
    with store.reading(db) as con:
        fcr = measures.measure(con, W47, TZ, fcr_days=7)[None]["fcr"]
    # u1 is repeated by u2 (same number, next day); u2 and u3 are not repeated; n1..n7 are left out
    # (the abandoned n8 is no answered leg); 'withheld' calling twice would otherwise be a repeat.
    assert (fcr.numerator, fcr.denominator, fcr.sample_size, fcr.left_out) == (2, 3, 3, 7)


def test_the_migration_keeps_an_old_databases_legs_and_counts(tmp_path):
    path = old_database(tmp_path / "old.duckdb", 5)
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO queues (queue_id, name) VALUES (1, 'house')")
        con.execute("""INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, customer_id, batch_id)
                       VALUES (1, 'a', '2026-11-16 09:00:00+00', 'answered', 5, 60, '0701', 1),
                              (1, 'b', '2026-11-16 09:01:00+00', 'abandoned', 40, NULL, NULL, 1),
                              (1, 'c', '2026-11-16 09:02:00+00', 'overflowed', 30, NULL, NULL, 1)""")
        con.execute("""INSERT INTO interval_rollups VALUES
                       (1, '2026-11-16 09:00:00+00', 20, 5, 3, 1, 1, 1, 1, 0, 0, 5, 40, 60, 60, 0, 0, 0, 0)""")
    store.create(path)
    with store.reading(path) as con:
        assert store.schema_version(con) == store.migrations()[-1][0]  # every migration ran
        legs = store.execute(con, "SELECT call_id, outcome, end_reason, wait_s, customer_id FROM call_legs "
                                  "ORDER BY call_id").rows
        rollup = store.execute(con, "SELECT offered, answered, abandoned, overflowed, turned_away, "
                                    "turned_away_inside_hours FROM interval_rollups").rows
    assert legs == [("a", "answered", "answered", 5, pseudonym("0701")), ("b", "abandoned", None, 40, None),
                    ("c", "overflowed", None, 30, None)]
    assert rollup == [(3, 1, 1, 1, 0, 0)]
    with store.writing(path) as con:  # the widened CHECK takes the fourth outcome
        con.execute("INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, end_reason, batch_id) "
                    "VALUES (1, 'd', '2026-11-16 09:03:00+00', 'turned_away', 0, 'turned_away_full', 2)")
