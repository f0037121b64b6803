"""Volume by calls (issue 15): a call is its journey id, else its call id; volume share = calls routed
to the partner / calls the centre received; answered share beside it; shortfalls against the
agreement's minimums per period and accumulated. Every expected value is counted by hand from FIXTURE.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

import cli
from data import rollups, store
from metrics import measures, volume
from metrics.scorecard import scorecard
from partners import agreements, periods, terms
from partners.agreements import TargetError

TZ = "Europe/Stockholm"  # UTC+1 in these weeks (DST starts 29 March)

# W10 = Mon 2 - Sun 8 March 2026, W11 = 9 - 15 March. Queue 1 'house' is in-house, 2 'acme' Acme's,
# 3 'beta' Beta's (Beta gets no call). Times are UTC.
FIXTURE = """
INSERT INTO partners (partner_id, name) VALUES (1, 'Acme'), (2, 'Beta');
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL), (2, 'acme', 1), (3, 'beta', 2);
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, journey_id, transferred_to, batch_id) VALUES
 -- W10 (Tuesday 3 March)
 (1, 'c1', '2026-03-03 09:00:00+00', 'overflowed', 30, NULL, NULL, 1),      -- c1: in-house, then
 (2, 'c1', '2026-03-03 09:00:30+00', 'answered',   10, NULL, NULL, 1),      --     Acme answers
 (2, 'c2', '2026-03-03 09:10:00+00', 'answered',    5, NULL, 'in-house', 1), -- c2: Acme answers, transfers back,
 (1, 'c2', '2026-03-03 09:15:00+00', 'answered',   12, NULL, NULL, 1),      --     in-house answers again
 (1, 'x1', '2026-03-03 09:20:00+00', 'overflowed', 40, 'j3', NULL, 1),      -- j3: one journey, two call ids:
 (2, 'x2', '2026-03-03 09:21:00+00', 'answered',    3, 'j3', NULL, 1),      --     in-house, then Acme answers
 (2, 'c4', '2026-03-03 09:30:00+00', 'answered',    4, NULL, NULL, 1),      -- c4: Acme only
 (2, 'c5', '2026-03-03 09:40:00+00', 'answered',    6, NULL, NULL, 1),      -- c5: Acme only
 (1, 'c6', '2026-03-03 09:50:00+00', 'answered',    2, NULL, NULL, 1),      -- c6: in-house only
 (1, 'c7', '2026-03-03 10:00:00+00', 'answered',    8, NULL, NULL, 1),      -- c7: in-house only
 (2, 'c8', '2026-03-03 10:10:00+00', 'abandoned',  60, NULL, NULL, 1),      -- c8: lost at Acme (still routed)
 -- W11 (Tuesday 10 March), and a call that starts on Sunday 15 March 23:59 local and reaches Acme
 -- on Monday 16 March 00:01 local (W12): it is W11's call, by its first leg.
 (2, 'd1', '2026-03-10 09:00:00+00', 'answered',    5, NULL, NULL, 1),
 (2, 'd2', '2026-03-10 09:10:00+00', 'answered',    5, NULL, NULL, 1),
 (2, 'd3', '2026-03-10 09:20:00+00', 'answered',    5, NULL, NULL, 1),
 (1, 'c9', '2026-03-15 22:59:00+00', 'overflowed', 90, NULL, NULL, 1),
 (2, 'c9', '2026-03-15 23:01:00+00', 'answered',    5, NULL, NULL, 1);
-- Acme's agents logged in: 300 + 180 minutes in W10 (8 h), 720 minutes in W11 (12 h).
INSERT INTO staffing (queue_id, interval_start, contracted_min, logged_in_min, batch_id) VALUES
 (2, '2026-03-03 09:00:00+00', 300, 300, 1), (2, '2026-03-03 09:15:00+00', 300, 180, 1),
 (2, '2026-03-10 09:00:00+00', 720, 720, 1);
"""

# By hand, W10: calls c1 c2 j3 c4 c5 c6 c7 c8 = 8; routed to Acme c1 c2 j3 c4 c5 c8 = 6 (75.0 %);
# to in-house c1 c2 j3 c6 c7 = 5 (62.5 %); to Beta none (0 %). Answered by anyone c1..c7 = 7; by Acme
# c1 c2 j3 c4 c5 = 5 (71.4 %), by in-house c2 c6 c7 = 3 (42.9 %). The old share by legs: Acme's
# answered legs c1 c2 x2 c4 c5 = 5 of 8 answered legs (in-house c2 c6 c7 add 3) = 62.5 %.
# W11: calls d1 d2 d3 c9 = 4, all routed to Acme and answered there (100 %); in-house saw c9 (25 %).


@pytest.fixture
def loaded(db):
    with store.writing(db) as con:
        con.execute(FIXTURE)
        rollups.rebuild_all(con)
    return db


def _measured(con, label: str, partner_ids=None):
    return measures.measure(con, periods.parse(label), TZ, fcr_days=7, partner_ids=partner_ids)


def test_volume_share_counts_calls_routed_and_each_call_once(loaded):
    with store.reading(loaded) as con:
        week = _measured(con, "2026-W10")
    acme, house, beta = week[1], week[None], week[2]
    assert (acme["calls_routed"].value, acme["volume_share"].numerator, acme["volume_share"].denominator) == (6, 6, 8)
    assert acme["volume_share"].value == pytest.approx(0.75)
    assert house["volume_share"].value == pytest.approx(0.625)
    assert (beta["calls_routed"].value, beta["volume_share"].value) == (0, 0.0)  # the centre sent it nothing
    assert (acme["answered_share"].numerator, acme["answered_share"].denominator) == (5, 7)
    assert house["answered_share"].value == pytest.approx(3 / 7)
    # The old definition, answered legs / all answered legs, read 5 / 8 = 62.5 % for Acme:
    assert (acme["answered"].value, acme["answered"].value + house["answered"].value) == (5, 8)


def test_a_call_belongs_to_the_period_of_its_first_leg(loaded):
    with store.reading(loaded) as con:
        w11, w12 = _measured(con, "2026-W11"), _measured(con, "2026-W12")
    assert (w11[1]["calls_routed"].value, w11[1]["volume_share"].value) == (4, 1.0)
    assert w11[1]["answered"].value == 3            # c9's Acme leg is W12's by its own time...
    assert w12[1]["answered"].value == 1
    assert w12[1]["calls_routed"].value == 0        # ...but the call is W11's
    assert w12[1].get("volume_share", measures.Measure(None)).value is None  # W12 has no call: no data, not 0 %


def test_a_partners_scope_keeps_every_call_in_the_total(loaded):
    with store.reading(loaded) as con:
        acme = _measured(con, "2026-W10", partner_ids=(1,))
    assert set(acme) == {1}
    assert (acme[1]["volume_share"].numerator, acme[1]["volume_share"].denominator) == (6, 8)


def _run_csv(capsys, *args: str) -> list[dict[str, str]]:
    assert cli.main(["metrics", "--grain", "week", "--start", "2026-03-02", "--end", "2026-03-15", *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_cli_metrics_by_partner_prints_calls_routed_and_both_shares(loaded, capsys):
    found = {(r["period_start"], r["group"]): r for r in _run_csv(capsys, "--by", "partner")}
    columns = ("calls_routed", "turned_away", "volume_share", "answered_share")
    acme, house = found["2026-03-02", "Acme"], found["2026-03-02", "in-house"]
    assert [acme[c] for c in columns[:2]] == ["6", "0"]
    assert (float(acme["volume_share"]), float(acme["answered_share"])) == pytest.approx((0.75, 5 / 7))
    assert [house[c] for c in columns[:2]] == ["5", "0"]
    assert (float(house["volume_share"]), float(house["answered_share"])) == pytest.approx((0.625, 3 / 7))
    w11 = found["2026-03-09", "Acme"]
    assert (w11["calls_routed"], float(w11["volume_share"]), float(w11["answered_share"])) == ("4", 1.0, 1.0)
    assert ("2026-03-02", "Beta") not in found  # rows are for groups with legs, as before


def test_cli_metrics_by_queue_leaves_the_call_columns_empty(loaded, capsys):
    rows = _run_csv(capsys, "--by", "queue")
    assert rows and {(r["calls_routed"], r["volume_share"], r["answered_share"]) for r in rows} == {("", "", "")}
    # turned_away counts legs, so a queue has it too (no leg of this fixture was turned away)
    assert {r["turned_away"] for r in rows} == {"0"}
    assert cli.main(["metrics", "--grain", "week", "--by", "queue", "--format", "json",
                     "--start", "2026-03-02", "--end", "2026-03-08"]) == 0
    assert {r["volume_share"] for r in json.loads(capsys.readouterr().out)} == {None}


def test_cli_metrics_by_day_puts_the_midnight_call_on_its_first_day(loaded, capsys):
    assert cli.main(["metrics", "--grain", "day", "--by", "partner", "--start", "2026-03-15",
                     "--end", "2026-03-16"]) == 0
    found = {(r["period_start"], r["group"]): r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert found["2026-03-15", "in-house"]["calls_routed"] == "1"
    assert found["2026-03-16", "Acme"]["calls_routed"] == "0"   # its leg is on the 16th, its call on the 15th
    assert found["2026-03-16", "Acme"]["answered"] == "1"


# --- minimums and shortfalls ---------------------------------------------------------------------

def _minimums(con) -> None:
    agreements.add_version(con, 1, date(2026, 3, 2), share_min=0.5, share_max=0.8, calls_week_min=8,
                           agent_hours_week_min=10)


def test_shortfall_per_week_and_accumulated_since_the_minimum_began(loaded):
    with store.writing(loaded) as con:
        _minimums(con)
        w10 = scorecard(con, 1, periods.parse("2026-W10"), TZ)
        w11 = scorecard(con, 1, periods.parse("2026-W11"), TZ)

    def read(card, name):
        f = card.figure(name)
        return f.value, f.target, f.status

    # W10: 8 - 6 calls routed = 2 short; 10 - 8 agent-hours (480 min) = 2 short.
    assert read(w10, "calls_shortfall") == (2, 0.0, "red")
    assert read(w10, "calls_shortfall_accumulated") == (2, 0.0, "red")
    assert read(w10, "agent_hours_shortfall") == (2, 0.0, "red")
    assert (w10.figure("agent_hours_shortfall").numerator, w10.figure("agent_hours_shortfall").denominator) == (8, 10)
    # W11: 8 - 4 = 4 short (accumulated 2 + 4 = 6); 12 agent-hours >= 10: met (accumulated 2 + 0 = 2).
    assert read(w11, "calls_shortfall") == (4, 0.0, "red")
    assert read(w11, "calls_shortfall_accumulated") == (6, 0.0, "red")
    assert read(w11, "agent_hours_shortfall") == (0, 0.0, "green")
    assert read(w11, "agent_hours_shortfall_accumulated") == (2, 0.0, "red")
    # W11's previous values are W10's accumulated shortfalls, read with W11's weeks and cut at W10's end.
    assert w11.figure("calls_shortfall_accumulated").previous_value == 2
    assert w11.figure("agent_hours_shortfall_accumulated").previous_value == 2
    assert (w11.figure("volume_share").value, w11.figure("volume_share").status) == (1.0, "red")  # 20 pts over max


def test_a_month_accumulates_its_weeks_and_prorates_the_cut_one(loaded):
    with store.writing(loaded) as con:
        _minimums(con)
        march = scorecard(con, 1, periods.parse("2026-03"), TZ)
    # Weeks from valid_from (2 March) to 31 March: W10 2, W11 4, W12 8, W13 8 (no call), and 30-31 March
    # of W14, prorated: 8 x 2 / 7. Agent-hours: W10 2, W11 0; weeks without staffing rows are left out.
    assert march.figure("calls_shortfall_accumulated").value == pytest.approx(2 + 4 + 8 + 8 + 16 / 7)
    assert march.figure("agent_hours_shortfall_accumulated").value == pytest.approx(2)
    # The month's own figure: the latest terms (a week minimum only) prorated over 31 days, 10 calls routed.
    assert march.figure("calls_shortfall").value == pytest.approx(8 * 31 / 7 - 10)


def test_without_a_minimum_there_is_no_shortfall_to_judge(loaded):
    """Without any minimum the scorecard leaves the shortfalls out (every page, file and meeting follows);
    once a version sets a calls minimum, the calls shortfalls appear and the agent-hours ones still don't."""
    shortfalls = {"calls_shortfall", "calls_shortfall_accumulated", "agent_hours_shortfall",
                  "agent_hours_shortfall_accumulated"}
    with store.reading(loaded) as con:
        card = scorecard(con, 1, periods.parse("2026-W10"), TZ)
    assert shortfalls & {f.metric for f in card.figures} == set()
    assert "volume_share" in {f.metric for f in card.family("centre")}
    with store.writing(loaded) as con:
        agreements.add_version(con, 1, date(2026, 3, 2), calls_week_min=5)
    with store.reading(loaded) as con:
        card = scorecard(con, 1, periods.parse("2026-W10"), TZ)
    assert shortfalls & {f.metric for f in card.family("centre")} == {"calls_shortfall", "calls_shortfall_accumulated"}
    # 6 calls routed to Acme in W10 against a minimum of 5: met.
    assert (card.figure("calls_shortfall").value, card.figure("calls_shortfall").status) == (0, "green")


def test_the_minimum_of_a_span(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme'), (2, 'Beta')")
        agreements.add_version(con, 1, date(2026, 3, 2), calls_week_min=8)
        agreements.add_version(con, 1, date(2026, 4, 1), calls_week_min=8, calls_month_min=40)
        agreements.add_version(con, 2, date(2026, 3, 1), calls_month_min=62, agent_hours_month_min=31.0)
        march_acme, april_acme = terms.terms_in_force(con, 1, date(2026, 3, 2)), terms.terms_in_force(con, 1, date(2026, 4, 1))
        beta = terms.terms_in_force(con, 2, date(2026, 3, 1))
    calls, hours = volume.CALLS, volume.AGENT_HOURS
    assert volume.minimum(march_acme, calls, date(2026, 3, 2), date(2026, 3, 9)) == 8            # an ISO week
    assert volume.minimum(march_acme, calls, date(2026, 3, 3), date(2026, 3, 6)) == pytest.approx(8 * 3 / 7)
    assert volume.minimum(march_acme, calls, date(2026, 3, 1), date(2026, 4, 1)) == pytest.approx(8 * 31 / 7)
    assert volume.minimum(march_acme, hours, date(2026, 3, 2), date(2026, 3, 9)) is None
    assert volume.minimum(april_acme, calls, date(2026, 4, 1), date(2026, 5, 1)) == 40          # the month's own
    assert volume.minimum(april_acme, calls, date(2026, 4, 6), date(2026, 4, 13)) == 8          # the week's own
    assert volume.minimum(beta, calls, date(2026, 3, 1), date(2026, 4, 1)) == 62
    assert volume.minimum(beta, calls, date(2026, 3, 2), date(2026, 3, 9)) == pytest.approx(14)  # 62 x 7 / 31
    # 30 and 31 March (62 / 31 each) and 1 April (62 / 30):
    assert volume.minimum(beta, calls, date(2026, 3, 30), date(2026, 4, 2)) == pytest.approx(4 + 62 / 30)
    assert volume.minimum(beta, hours, date(2026, 3, 2), date(2026, 3, 9)) == pytest.approx(7)


@pytest.mark.parametrize("targets, words", [
    ({"calls_week_min": -1}, "calls_week_min '-1' is negative"),
    ({"calls_month_min": 10.5}, "calls_month_min '10.5' is not a whole number"),
    ({"agent_hours_week_min": -0.5}, "agent_hours_week_min '-0.5' is negative"),
    ({"agent_hours_month_min": "many"}, "agent_hours_month_min 'many' is not a number"),
])
def test_the_one_validator_refuses_bad_minimums(targets, words):
    with pytest.raises(TargetError, match=words):
        agreements.checked(targets)


def test_the_one_validator_keeps_good_minimums():
    assert agreements.checked({"calls_week_min": "120", "agent_hours_month_min": "37.5"}) == {
        "calls_week_min": 120, "agent_hours_month_min": 37.5}


def test_the_scorecard_excel_has_a_row_for_each_new_volume_figure(loaded, tmp_path):
    import openpyxl

    from reports import exports

    with store.writing(loaded) as con:
        _minimums(con)
    out = exports.write_scorecard("Acme", periods.parse("2026-W11"), tmp_path / "acme.xlsx", db=str(loaded))
    rows = {row[0]: row for sheet in openpyxl.load_workbook(out).worksheets
            for row in sheet.iter_rows(values_only=True) if row and row[0]}
    # figure, value, target or band min, band max, status: counted by hand above (W11).
    assert rows["Calls routed"][:2] == ("Calls routed", 4)
    assert rows["Volume share"][1:4] == (1.0, 0.5, 0.8)
    assert rows["Answered share"][1] == 1.0
    assert rows["Calls short of the minimum"][1:5] == (4, 0, None, "✖ missed")
    assert rows["Calls short since the minimum began"][1] == 6
    assert rows["Agent-hours short of the minimum"][1:5] == (0, 0, None, "✔ met")
    assert rows["Agent-hours short since the minimum began"][1] == 2
