"""Coarser grains from the rollups, through the CLI: DST days, local midnight, the classic averaging error."""
from __future__ import annotations

import csv
import io
import json

import pytest

import cli
from data import rollups, store
from ingest.importing import import_file
from metrics.scorecard import scorecard
from partners import agreements, periods
from tests.conftest import ROOT

SQL = ROOT / "tests" / "sql"


def load(db, *fixtures: str, extra: str = "") -> None:
    with store.writing(db) as con:
        for name in fixtures:
            con.execute((SQL / name).read_text(encoding="utf-8"))
        if extra:
            con.execute(extra)
        rollups.rebuild_all(con)


def run_csv(capsys, *args: str) -> list[dict[str, str]]:
    assert cli.main(["metrics", *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_both_dst_days_have_23_and_25_hours(db, capsys):
    load(db, "metrics_dst.sql")
    days = {r["period_start"]: r["offered"] for r in run_csv(capsys, "--grain", "day", "--by", "queue")}
    assert days == {"2026-03-28": "1", "2026-03-29": "23", "2026-03-30": "2",
                    "2026-10-24": "1", "2026-10-25": "25", "2026-10-26": "1"}


def test_hours_of_the_autumn_dst_day_keep_the_repeated_hour_apart(db, capsys):
    load(db, "metrics_dst.sql")
    hours = [r["period_start"] for r in run_csv(capsys, "--grain", "hour", "--by", "queue",
                                                "--start", "2026-10-25", "--end", "2026-10-25")]
    assert len(hours) == 25
    assert hours[:4] == ["2026-10-25T00:00:00+02:00", "2026-10-25T01:00:00+02:00",
                         "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]
    assert hours[-1] == "2026-10-25T23:00:00+01:00"


def test_hours_of_the_spring_dst_day_skip_the_missing_hour(db, capsys):
    load(db, "metrics_dst.sql")
    hours = [r["period_start"] for r in run_csv(capsys, "--grain", "hour", "--by", "queue",
                                                "--start", "2026-03-29", "--end", "2026-03-29")]
    assert len(hours) == 23
    assert hours[1:3] == ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]


MIDNIGHT = """
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id) VALUES
 (1, 'day',   '2026-01-15 23:30:00+00', 'answered', 1, 10, 1),  -- Stockholm: Fri 16 Jan 00:30
 (1, 'week',  '2026-01-18 23:30:00+00', 'answered', 1, 10, 1),  -- Stockholm: Mon 19 Jan 00:30 (W04)
 (1, 'month', '2026-01-31 23:30:00+00', 'answered', 1, 10, 1);  -- Stockholm: Sun 1 Feb 00:30
"""


@pytest.mark.parametrize("grain, tz, expected", [
    ("day", "Europe/Stockholm", {"2026-01-16": "1", "2026-01-19": "1", "2026-02-01": "1"}),
    ("day", "UTC", {"2026-01-15": "1", "2026-01-18": "1", "2026-01-31": "1"}),
    ("week", "Europe/Stockholm", {"2026-01-12": "1", "2026-01-19": "1", "2026-01-26": "1"}),
    ("week", "UTC", {"2026-01-12": "2", "2026-01-26": "1"}),
    ("month", "Europe/Stockholm", {"2026-01-01": "2", "2026-02-01": "1"}),
    ("month", "UTC", {"2026-01-01": "3"}),
])
def test_midnight_in_the_reporting_zone_not_utc_cuts_days_weeks_and_months(db, capsys, grain, tz, expected):
    load(db, extra=MIDNIGHT)
    rows = run_csv(capsys, "--grain", grain, "--by", "partner", "--tz", tz)
    assert {r["period_start"]: r["offered"] for r in rows} == expected
    assert {r["group"] for r in rows} == {"in-house"}


QUARTER_HOUR_ZONE_LEGS = """call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id
k1,house,,2026-03-02 09:59:59,answered,3,60,0,0,,
k2,house,,2026-03-02 10:00:00,answered,3,60,0,0,,
k3,house,,2026-03-02 10:14:59,abandoned,30,,,,,
k4,house,,2026-03-02 10:15:00,answered,3,60,0,0,,
k5,house,,2026-03-02 23:59:59,answered,3,60,0,0,,
k6,house,,2026-03-03 00:00:00,answered,3,60,0,0,,
"""


@pytest.mark.parametrize("zone, offset, utc_starts", [
    # Kathmandu is UTC+05:45: local 10:00 is 04:15 UTC, local midnight 18:15 UTC the day before.
    ("Asia/Kathmandu", "+05:45", ["2026-03-02 04:00", "2026-03-02 04:15", "2026-03-02 04:30",
                                   "2026-03-02 18:00", "2026-03-02 18:15"]),
    # The Chatham Islands are UTC+13:45 in the southern summer (+12:45 in winter): local 10:00 is 20:15 UTC.
    ("Pacific/Chatham", "+13:45", ["2026-03-01 20:00", "2026-03-01 20:15", "2026-03-01 20:30",
                                    "2026-03-02 10:00", "2026-03-02 10:15"]),
])
def test_quarter_hour_offsets_cut_on_the_same_15_minute_rollups(db, capsys, tmp_path, zone, offset, utc_starts):
    """A zone whose offset is a whole number of quarter hours (Kathmandu, Chatham) keeps every local
    15-minute interval, hour and day on the UTC 15-minute boundaries of the rollups."""
    assert cli.main(["settings", "set", "reporting_tz", zone]) == 0
    capsys.readouterr()
    path = tmp_path / "legs.csv"
    path.write_text(QUARTER_HOUR_ZONE_LEGS, encoding="utf-8")
    assert import_file(path, db=db).imported == 6  # times without an offset: read in the reporting zone
    with store.reading(db) as con:
        stored = store.execute(con, "SELECT strftime(interval_start AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'), offered "
                                    "FROM interval_rollups ORDER BY interval_start").rows
    assert stored == [(utc_starts[0], 1), (utc_starts[1], 2), (utc_starts[2], 1), (utc_starts[3], 1), (utc_starts[4], 1)]
    intervals = run_csv(capsys, "--grain", "interval", "--by", "queue")
    assert [(r["period_start"], r["offered"], r["answered"]) for r in intervals] == [
        (f"2026-03-02T09:45:00{offset}", "1", "1"), (f"2026-03-02T10:00:00{offset}", "2", "1"),
        (f"2026-03-02T10:15:00{offset}", "1", "1"), (f"2026-03-02T23:45:00{offset}", "1", "1"),
        (f"2026-03-03T00:00:00{offset}", "1", "1")]
    hours = run_csv(capsys, "--grain", "hour", "--by", "queue")
    assert [(r["period_start"], r["offered"]) for r in hours] == [
        (f"2026-03-02T09:00:00{offset}", "1"), (f"2026-03-02T10:00:00{offset}", "3"),
        (f"2026-03-02T23:00:00{offset}", "1"), (f"2026-03-03T00:00:00{offset}", "1")]
    days = run_csv(capsys, "--grain", "day", "--by", "queue")
    assert [(r["period_start"], r["offered"]) for r in days] == [("2026-03-02", "5"), ("2026-03-03", "1")]


def test_the_classic_example_sums_numerators_and_denominators(db, capsys):
    load(db, "metrics_classic.sql")
    intervals = run_csv(capsys, "--grain", "interval", "--by", "queue")
    assert [(r["offered"], r["answered_within_threshold"], round(float(r["service_level"]), 2))
            for r in intervals] == [("1092", "721", 0.66), ("74", "36", 0.49)]
    day = run_csv(capsys, "--grain", "day", "--by", "queue")
    assert len(day) == 1
    assert float(day[0]["service_level"]) == pytest.approx(757 / 1166)
    assert round(float(day[0]["service_level"]), 2) == 0.65


ALL_ABANDONED = """
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, batch_id) VALUES
 (1, 'short', '2026-02-02 08:00:00+00', 'abandoned', 4, 1),
 (1, 'atS',   '2026-02-02 08:01:00+00', 'abandoned', 5, 1),
 (1, 'only-short', '2026-02-03 08:00:00+00', 'abandoned', 0, 1);
"""


def test_all_abandoned_gives_zero_service_level_and_no_data_without_a_denominator(db, capsys):
    load(db, extra=ALL_ABANDONED)
    rows = {r["period_start"]: r for r in run_csv(capsys, "--grain", "day", "--by", "partner", "--tz", "UTC")}
    monday = rows["2026-02-02"]
    # 'atS' waited exactly S = 5 s: a real abandon. 'short' (4 s) is short.
    assert (monday["short_abandoned"], monday["service_level"], monday["abandon_rate"]) == ("1", "0.0", "1.0")
    assert (monday["asa_s"], monday["aht_s"]) == ("", "")
    tuesday = rows["2026-02-03"]
    assert (tuesday["service_level"], tuesday["abandon_rate"], tuesday["sl_abandons_within_met"]) == ("", "", "1.0")


AT_THE_LIMITS = """
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, batch_id) VALUES
 (1, 'under-S', '2026-02-02 08:00:00+00', 'abandoned', 4, 1),
 (1, 'at-S',    '2026-02-02 08:01:00+00', 'abandoned', 5, 1),
 (1, 'at-T',    '2026-02-02 08:02:00+00', 'abandoned', 20, 1),
 (1, 'over-T',  '2026-02-02 08:03:00+00', 'abandoned', 21, 1);
"""


def test_short_abandons_are_shorter_than_s_and_abandons_within_t_include_t(db, capsys):
    """What the definitions say: a short abandon waited *less* than S (5 s); in 'abandons-within-met'
    a caller who left after T (20 s) or less counts as met."""
    load(db, extra=AT_THE_LIMITS)
    (day,) = run_csv(capsys, "--grain", "day", "--by", "partner", "--tz", "UTC")
    assert (day["short_abandoned"], day["abandoned_within_threshold"]) == ("1", "3")
    assert float(day["sl_abandons_within_met"]) == pytest.approx(3 / 4)  # (0 + 3) / (0 + 4)


def test_no_calls_prints_the_header_only_and_json_an_empty_list(db, capsys):
    assert run_csv(capsys, "--grain", "week", "--by", "partner") == []
    assert cli.main(["metrics", "--grain", "week", "--by", "queue", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_json_keeps_counts_as_integers_and_missing_ratios_as_null(db, capsys):
    load(db, extra=ALL_ABANDONED)
    assert cli.main(["metrics", "--grain", "day", "--by", "queue", "--tz", "UTC", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[1]["offered"] == 1 and rows[1]["service_level"] is None and rows[1]["group"] == "house"


@pytest.mark.parametrize("args, message", [
    (["--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    (["--start", "2026-02-05", "--end", "2026-02-01"], "--end must not be before --start"),
])
def test_a_user_mistake_is_one_line_and_exit_2(db, capsys, args, message):
    assert cli.main(["metrics", "--grain", "day", "--by", "queue", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_four_service_level_variants_and_the_other_ratios_by_hand(db, capsys):
    from tests.test_metrics_rollups import BATCH_1, QUEUES

    load(db, extra=QUEUES + BATCH_1)
    house = next(r for r in run_csv(capsys, "--grain", "day", "--by", "partner") if r["group"] == "in-house")
    # in-house: answered h1 (20 s, within), h2 (21 s); abandoned h3 (5 s), h4 (4 s, short); overflowed h5.
    assert float(house["service_level"]) == pytest.approx(1 / 3)          # 1 / (2 + 2 - 1)
    assert float(house["sl_answered_only"]) == pytest.approx(1 / 2)       # 1 / 2
    assert float(house["sl_abandons_within_met"]) == pytest.approx(3 / 4)  # (1 + 2) / (2 + 2)
    assert float(house["sl_with_overflow"]) == pytest.approx(1 / 4)       # 1 / (2 + 2 - 1 + 1)
    assert float(house["abandon_rate"]) == pytest.approx(1 / 3)           # (2 - 1) / 3
    assert (house["asa_s"], house["aht_s"]) == ("20.5", "157.5")          # 41 / 2; (115 + 200) / 2
    assert float(house["volume_share"]) == 5 / 8                          # h1..h5 of 8 calls (was 2 of 4 answered legs)
    assert float(house["answered_share"]) == 0.5                          # h1, h2 of 4 answered calls


def test_the_agreed_variant_judges_the_scorecard(db):
    from datetime import date

    from tests.test_metrics_rollups import BATCH_1, QUEUES

    load(db, extra=QUEUES + BATCH_1)
    with store.writing(db) as con:
        agreements.add_version(con, 1, date(2026, 1, 1), sl_target=0.6, sl_variant="abandons-within-met")
        sl = scorecard(con, 1, periods.parse("2026-W10")).figure("service_level")
    # Acme: answered a1 (25 s), a2 (3 s, within); abandoned a3 (9 s, within T): (1 + 1) / (2 + 1)
    assert (sl.definition, sl.numerator, sl.denominator, sl.status) == ("sl_abandons_within_met", 2, 3, "green")
    assert sl.label == "Service level (abandons-within-met)"


def test_a_reader_that_stops_early_gets_no_traceback(db):
    import subprocess
    import sys

    load(db, extra="""INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL);
        INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id)
        SELECT 1, 'c' || i, TIMESTAMPTZ '2026-01-05 00:00:00+00' + i * INTERVAL '15 minutes', 'answered', 3, 60, 1
        FROM range(0, 3000) t(i);""")
    process = subprocess.Popen([sys.executable, "-m", "cli", "metrics", "--grain", "interval", "--by", "queue",
                                "--format", "json", "--db", str(db)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"[\n"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert (process.wait(timeout=60), stderr) == (141, "")
