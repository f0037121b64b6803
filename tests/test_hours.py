"""Opening hours: versions, spans past midnight (over a DST night) and the CLI, expected values by hand."""
from __future__ import annotations

from datetime import date, time

import duckdb
import pytest

import cli
from data import store
from data.errors import UserError
from metrics import measures
from metrics.scorecard import scorecard
from partners import agreements, hours, periods
from tests.conftest import old_database

# Acme's queue is in Europe/Stockholm: CEST (UTC+2) until 2026-10-25 01:00 UTC, then CET (UTC+1),
# so local 02:00-03:00 on Sunday 25 October happens twice. Each leg is alone in its interval;
# wait 5 s meets T = 20 s (interval SL 100 %), wait 30 s misses it (0 %).
LEGS = [
    ("l01", "2026-09-30 01:00", 5),   # Wed 03:00 CEST, before the first version: open around the clock
    ("l02", "2026-10-19 07:00", 5),   # Mon 09:00: version A has no Monday
    ("l03", "2026-10-23 19:45", 5),   # Fri 21:45: before A's Friday span
    ("l04", "2026-10-23 20:00", 5),   # Fri 22:00: A's fri 22:00-02:00 opens
    ("l05", "2026-10-23 23:45", 30),  # Sat 01:45: the Friday span past midnight
    ("l06", "2026-10-24 00:00", 5),   # Sat 02:00: the Friday span has closed
    ("l07", "2026-10-24 20:45", 5),   # Sat 22:45: before A's sat 23:00-03:00
    ("l08", "2026-10-24 21:00", 5),   # Sat 23:00 CEST: opens
    ("l09", "2026-10-25 00:30", 5),   # Sun 02:30 CEST (first time): the Saturday span, though B is in force on Sunday
    ("l10", "2026-10-25 01:30", 30),  # Sun 02:30 CET (second time): still the Saturday span
    ("l11", "2026-10-25 02:00", 5),   # Sun 03:00 CET: closed
    ("l12", "2026-10-25 09:00", 5),   # Sun 10:00 CET: B's sun 10:00-12:00 (A: closed)
    ("l13", "2026-10-25 11:00", 5),   # Sun 12:00: B has closed
    ("l14", "2026-10-30 21:30", 30),  # Fri 22:30 CET: A would be open, B has no Friday
]
VERSION_A = "fri 22:00-02:00; sat 23:00-03:00"   # from Thu 2026-10-01
VERSION_B = "sun 10:00-12:00"                     # from Sun 2026-10-25
PERIOD = periods.Period(date(2026, 9, 28), date(2026, 11, 2), "range", "28 Sep - 1 Nov")


@pytest.fixture
def acme(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme')")
        con.execute("INSERT INTO queues (queue_id, name, partner_id, time_zone) VALUES (1, 'acme', 1, 'Europe/Stockholm')")
        con.executemany("INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id) "
                        "VALUES (1, ?, CAST(? || '+00' AS TIMESTAMPTZ), 'answered', ?, 60, 1)", LEGS)
        agreements.add_version(con, 1, date(2026, 1, 1), sl_target=0.8)
        hours.add_version(con, 1, date(2026, 10, 1), hours.parse(VERSION_A), actor="test")
    return db


def inside(db) -> list[str]:
    with store.reading(db) as con:
        rows = measures.interval_sl_rows(con, PERIOD, "Europe/Stockholm", [1])
    return sorted(next(c for c, at, _ in LEGS if at == f"{r['interval_utc']:%Y-%m-%d %H:%M}") for r in rows if r["inside_hours"])


def attainment(db) -> tuple[float, float]:
    with store.reading(db) as con:
        figure = scorecard(con, 1, PERIOD, "Europe/Stockholm").figure("interval_sl_attainment")
    return figure.numerator, figure.denominator


def test_spans_past_midnight_belong_to_the_day_they_start_including_the_doubled_dst_hour(acme):
    assert inside(acme) == ["l01", "l04", "l05", "l08", "l09", "l10", "l14"]
    assert attainment(acme) == (4, 7)  # met: l01, l04, l08, l09


def test_a_new_version_judges_from_its_day_without_rebuilding_the_rollups(acme):
    with store.reading(acme) as con:
        rollup_rows = con.execute("SELECT count(*), sum(hash(r)::HUGEINT) FROM interval_rollups r").fetchone()
    with store.writing(acme) as con:
        hours.add_version(con, 1, date(2026, 10, 25), hours.parse(VERSION_B), actor="test", note="Sundays only")
    assert inside(acme) == ["l01", "l04", "l05", "l08", "l09", "l10", "l12"]
    assert attainment(acme) == (5, 7)  # met: l01, l04, l08, l09, l12
    with store.reading(acme) as con:
        assert con.execute("SELECT count(*), sum(hash(r)::HUGEINT) FROM interval_rollups r").fetchone() == rollup_rows
        assert con.execute("SELECT actor, action, detail FROM audit_log WHERE action = 'hours.add' ORDER BY rowid").fetchall() == [
            ("test", "hours.add", "Acme from 1 Oct 2026: fri 22:00-02:00; sat 23:00-03:00"),
            ("test", "hours.add", "Acme from 25 Oct 2026: sun 10:00-12:00")]


def test_a_version_replaced_on_its_own_first_day_never_applies_and_around_the_clock_opens_everything(acme):
    with store.writing(acme) as con:
        hours.add_version(con, 1, date(2026, 10, 25), hours.parse(VERSION_B), actor="test")
        hours.add_version(con, 1, date(2026, 10, 25), hours.parse("around the clock"), actor="test")
    assert inside(acme) == ["l01", "l04", "l05", "l08", "l09", "l10", "l11", "l12", "l13", "l14"]
    with store.reading(acme) as con:
        history = hours.history(con, 1)
    assert [(v.valid_from, v.valid_to, v.hours) for v in history] == [
        (date(2026, 10, 25), None, "around the clock"),
        (date(2026, 10, 25), date(2026, 10, 25), "sun 10:00-12:00"),
        (date(2026, 10, 1), date(2026, 10, 25), VERSION_A)]


@pytest.mark.parametrize(("text", "spans"), [
    ("mon-wed 08:00-17:00", [(d, time(8), time(17)) for d in (1, 2, 3)]),
    ("Sat-Mon 22:00-24:00", [(1, time(22), time(0)), (6, time(22), time(0)), (7, time(22), time(0))]),
    ("tue,thu 08:00-12:00, 13:00-16:30; friday 9:15-00:00",
     [(2, time(8), time(12)), (2, time(13), time(16, 30)), (4, time(8), time(12)), (4, time(13), time(16, 30)),
      (5, time(9, 15), time(0))]),
    ("AROUND THE CLOCK", [(d, time(0), time(0)) for d in range(1, 8)]),
])
def test_parse_reads_days_ranges_several_spans_and_midnight(text, spans):
    assert [(s.iso_weekday, s.opens_at, s.closes_at) for s in hours.parse(text)] == spans


@pytest.mark.parametrize(("text", "shown"), [
    ("sat 10:00-16:00; mon-fri 08:00-20:00", "mon-fri 08:00-20:00; sat 10:00-16:00"),
    ("mon,tue,thu 08:00-12:00; wed 08:00-00:00", "mon-tue,thu 08:00-12:00; wed 08:00-24:00"),
    ("mon-sun 00:00-24:00", "around the clock"),
])
def test_describe_groups_days_and_parse_reads_it_back(text, shown):
    assert hours.describe(hours.parse(text)) == shown
    assert hours.parse(shown) == hours.parse(text)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["partner", "hours", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("args", "line"), [
    (["Nobody", "--from", "2026-01-05", "--around-the-clock"], "unknown partner 'Nobody' (known partners: Acme)"),
    (["Acme", "--from", "2026-01-05", "--open", "mon-fri", "08:00-25:00"], "not a time of day (HH:MM, 00:00-24:00): '25:00'"),
    (["Acme", "--from", "2026-01-05", "--open", "mon-fry", "08:00-20:00"],
     "unknown weekday 'fry'; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri"),
    (["Acme", "--from", "2026-01-05", "--open", "mon", "08:00"], "opening hours '08:00' need an open and a close time, e.g. 08:00-20:00"),
    (["Acme", "--from", "2026-02-30", "--around-the-clock"], "--from: not a date (YYYY-MM-DD): '2026-02-30'"),
    (["Acme", "--open", "mon", "08:00-20:00"], "say from which day the hours apply: --from YYYY-MM-DD"),
    (["Acme", "--from", "2026-01-05"], "say when 'Acme' is open: --open mon-fri 08:00-20:00 (repeatable) or --around-the-clock"),
    (["Acme", "--from", "2026-01-05", "--around-the-clock", "--open", "mon", "08:00-20:00"],
     "give --open or --around-the-clock, not both"),
])
def test_cli_mistakes_are_one_line_and_write_nothing(db, capsys, args, line):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (name) VALUES ('Acme')")
    assert run_cli(capsys, *args) == (2, "", f"error: {line}\n")
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM hours_versions").fetchone()[0] == 0


def test_cli_sets_hours_and_lists_the_versions(db, capsys):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (name) VALUES ('Acme')")
    assert run_cli(capsys, "Acme")[1] == "Acme has no opening hours, so it counts as open around the clock\n"
    code, out, _ = run_cli(capsys, "Acme", "--from", "2026-01-05", "--open", "mon-fri", "08:00-20:00",
                           "--open", "fri", "22:00-02:00", "--note", "late Fridays")
    assert (code, out) == (0, "Acme from 2026-01-05: mon-thu 08:00-20:00; fri 08:00-20:00, 22:00-02:00\n")
    run_cli(capsys, "Acme", "--from", "2026-03-01", "--around-the-clock")
    lines = [line.split("\t") for line in run_cli(capsys, "Acme")[1].splitlines()]
    assert [line[1:4] + line[5:] for line in lines] == [
        ["from 2026-03-01", "to now", "around the clock", ""],
        ["from 2026-01-05", "to 2026-03-01", "mon-thu 08:00-20:00; fri 08:00-20:00, 22:00-02:00", "late Fridays"]]
    assert all(line[4].startswith("cli:") for line in lines)


def test_hours_set_before_versions_apply_from_the_earliest_day_after_migrating(tmp_path):
    path = old_database(tmp_path / "old.duckdb", 2)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme'), (2, 'Borealis')")
        con.execute("INSERT INTO partner_hours VALUES (1, 1, '08:00', '17:00'), (1, 6, '10:00', '00:00'), (2, 7, '00:00', '00:00')")
    store.create(path)
    with store.reading(path) as con:
        assert [(v.valid_from, v.valid_to, v.hours) for v in hours.history(con, 1)] == [
            (date(1970, 1, 1), None, "mon 08:00-17:00; sat 10:00-24:00")]
        assert [v.hours for v in hours.history(con, 2)] == ["sun 00:00-24:00"]


OVERLAPS = [
    ("mon 08:00-12:00; mon 11:00-14:00", "opening hours overlap: mon 08:00-12:00 and mon 11:00-14:00"),
    ("fri 22:00-02:00; sat 01:00-03:00", "opening hours overlap: fri 22:00-02:00 and sat 01:00-03:00"),
    ("sun 22:00-02:00; mon 01:00-03:00", "opening hours overlap: mon 01:00-03:00 and sun 22:00-02:00"),
    ("mon-fri 08:00-20:00; fri 19:00-21:00", "opening hours overlap: fri 08:00-20:00 and fri 19:00-21:00"),
    ("mon 00:00-24:00; sun 23:00-00:30", "opening hours overlap: mon 00:00-24:00 and sun 23:00-00:30"),
]
TWICE = ("mon-fri 08:00-20:00; wed 08:00-20:00", "opening hours name wed 08:00-20:00 twice; give each span once")


@pytest.mark.parametrize(("text", "line"), [(t, f"{m} (spans may touch, not overlap)") for t, m in OVERLAPS] + [TWICE])
def test_overlapping_spans_are_refused_naming_both_and_nothing_is_written(acme, text, line):
    with pytest.raises(UserError) as refused, store.writing(acme) as con:
        hours.add_version(con, 1, date(2026, 11, 2), hours.parse(text), actor="test")
    assert str(refused.value) == line
    with store.reading(acme) as con:
        assert [v.hours for v in hours.history(con, 1)] == [VERSION_A]


@pytest.mark.parametrize(("text", "shown"), [
    ("mon 08:00-12:00; mon 12:00-14:00", "mon 08:00-12:00, 12:00-14:00"),
    ("sun 22:00-02:00; mon 02:00-03:00", "mon 02:00-03:00; sun 22:00-02:00"),
    ("mon 20:00-24:00; tue 00:00-06:00", "mon 20:00-24:00; tue 00:00-06:00"),
])
def test_spans_that_only_touch_are_accepted(acme, text, shown):
    with store.writing(acme) as con:
        hours.add_version(con, 1, date(2026, 11, 2), hours.parse(text), actor="test")
    with store.reading(acme) as con:
        assert hours.history(con, 1)[0].hours == shown


def test_overlaps_stored_before_the_check_count_an_interval_once(acme):
    """A database written before overlaps were refused may hold one (here fri 23:00-02:00 inside A's
    fri 22:00-02:00; l05 at Sat 01:45 is in both). inside_opening_hours asks whether some span holds
    the time (EXISTS), so spans OR: each interval is judged once and no SL denominator grows."""
    with store.writing(acme) as con:
        con.execute("INSERT INTO opening_hours SELECT version_id, 5, '23:00', '02:00' FROM hours_versions")
    assert inside(acme) == ["l01", "l04", "l05", "l08", "l09", "l10", "l14"]
    assert attainment(acme) == (4, 7)


def test_cli_refuses_overlapping_hours_in_one_line(db, capsys):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (name) VALUES ('Acme')")
    assert run_cli(capsys, "Acme", "--from", "2026-01-05", "--open", "sun", "22:00-02:00", "--open", "mon", "01:00-03:00") == (
        2, "", "error: opening hours overlap: mon 01:00-03:00 and sun 22:00-02:00 (spans may touch, not overlap)\n")
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM hours_versions").fetchone()[0] == 0
