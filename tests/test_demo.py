"""The demo database: deterministic, the requested size, and the partners' characters really show.

Every character is measured here with plain SQL over the raw tables (call_legs, qa_*), written for
the test, never through metrics/, so a wrong generator cannot hide behind a wrong metric.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

import cli
from commercial import record
from demo import builder as demo
from partners import periods, registry

CALLS = 20_000
END = date(2026, 11, 23)
SIZE_TOLERANCE = 0.02
DATA_TABLES = (
    "partners", "hours_versions", "opening_hours", "queues", "call_legs", "qa_evaluations", "qa_items", "survey_answers",
    "staffing", "forecasts", "agreements", "meetings", "action_items", "action_item_events", "activities",
    "credit_rules", "month_closes", "invoice_lines", "disputes",
)

# Stockholm local clock of a leg.
LOCAL = "timezone('Europe/Stockholm', l.offered_at)"


def service_level(where: str) -> str:
    """The DOMAIN service level (T 20 s, S 5 s, abandons count) over the legs matching `where`."""
    return (f"count(*) FILTER (WHERE ({where}) AND l.outcome = 'answered' AND l.wait_s <= 20) "
            f"/ count(*) FILTER (WHERE ({where}) AND (l.outcome = 'answered' "
            f"OR (l.outcome = 'abandoned' AND l.wait_s >= 5)))")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, calls=CALLS, seed=7, end=END)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def fingerprint(path) -> dict[str, tuple]:
    """Row count and an order-independent sum of row hashes per data table."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*), sum(hash({t})::HUGEINT) FROM {t}").fetchone() for t in DATA_TABLES}


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(tmp_path):
    paths = [tmp_path / name for name in ("a.duckdb", "b.duckdb", "c.duckdb")]
    for path, seed in zip(paths, (11, 11, 12)):
        demo.build(path, calls=CALLS, seed=seed, end=END)
    first, again, other = (fingerprint(p) for p in paths)
    assert first == again
    assert first["call_legs"] != other["call_legs"]
    assert first["qa_items"] != other["qa_items"]


def test_the_requested_size_is_met_within_two_percent(built):
    legs = one(built, "SELECT count(*) FROM call_legs")
    assert abs(legs - CALLS) <= SIZE_TOLERANCE * CALLS
    batch = built.execute(
        "SELECT read, imported, duplicates, filtered, rejected FROM import_batches WHERE kind = 'call_legs'"
    ).fetchall()
    assert batch == [(legs, legs, 0, 0, 0)]


def test_the_interval_rollups_hold_every_leg(built):
    rolled = built.execute("SELECT sum(offered), sum(answered), sum(overflowed) FROM interval_rollups").fetchone()
    legs = built.execute("""
        SELECT count(*), count(*) FILTER (WHERE outcome = 'answered'), count(*) FILTER (WHERE outcome = 'overflowed')
        FROM call_legs""").fetchone()
    assert rolled == legs


def test_two_years_of_whole_weeks_ending_before_end(built):
    first, last = built.execute(f"SELECT min({LOCAL})::DATE, max({LOCAL})::DATE FROM call_legs l").fetchone()
    assert first == date(2024, 11, 25)
    assert last == date(2026, 11, 22)


def test_monday_is_the_busiest_day_and_lunch_dips(built):
    per_day = dict(built.execute(f"SELECT isodow({LOCAL}), count(*) FROM call_legs l GROUP BY 1").fetchall())
    assert max(per_day, key=per_day.get) == 1
    per_hour = dict(built.execute(
        f"SELECT hour({LOCAL}), count(*) FROM call_legs l WHERE isodow({LOCAL}) <= 5 GROUP BY 1").fetchall())
    assert per_hour[12] < per_hour[10] and per_hour[12] < per_hour[14]
    assert per_hour[21] < per_hour[17]


def test_every_partner_has_an_agreement_and_one_changed_midway(built):
    versions = dict(built.execute(
        "SELECT p.name, count(a.agreement_id) FROM partners p LEFT JOIN agreements a USING (partner_id) GROUP BY 1"
    ).fetchall())
    assert versions == {"Nordic Reliable": 1, "FlexiCall": 1, "QuickServe": 2}
    starts = [row[0] for row in built.execute(
        "SELECT valid_from FROM agreements JOIN partners USING (partner_id) WHERE name = 'QuickServe' ORDER BY 1"
    ).fetchall()]
    assert starts == [date(2024, 11, 25), date(2025, 11, 24)]


def test_the_centre_sent_nordic_reliable_less_than_its_weekly_floor_in_some_weeks(built):
    """The centre's side of the guarantee: a floor of calls a week, and weeks it fell short (plain SQL:
    calls = distinct journey or call ids with a leg in Nordic's queue, by the local week of the call's
    first leg)."""
    floor = one(built, "SELECT calls_week_min FROM agreements JOIN partners USING (partner_id) "
                       "WHERE name = 'Nordic Reliable'")
    assert floor and floor > 0
    weeks = dict(built.execute(f"""
        WITH calls AS (
            SELECT coalesce(l.journey_id, l.call_id) AS call_key, min(l.offered_at) AS first_offered,
                   bool_or(q.partner_id = (SELECT partner_id FROM partners WHERE name = 'Nordic Reliable')) AS nordic
            FROM call_legs l JOIN queues q USING (queue_id) GROUP BY 1)
        SELECT date_trunc('week', timezone('Europe/Stockholm', first_offered))::DATE AS week,
               count(*) FILTER (WHERE nordic) FROM calls GROUP BY 1""").fetchall())
    short = [week for week, routed in weeks.items() if routed < floor]
    assert 5 <= len(short) <= len(weeks) // 2   # about one week in five, the summer and Christmas weeks
    assert any(week.month in (7, 12) for week in short)


def test_the_centre_overflowed_about_half_of_flexicalls_calls_early_and_none_of_nordics(built):
    """The centre's routing sends an overflowed call on after 15-45 s in-house; FlexiCall's agreement
    says 30 s, Nordic Reliable's 15 s (plain SQL: the in-house leg's wait before the partner leg of the
    same journey, against each partner's agreed overflow_after_s)."""
    early = dict(built.execute("""
        SELECT p.name, avg(CASE WHEN h.wait_s < a.overflow_after_s THEN 1.0 ELSE 0.0 END)
        FROM call_legs h JOIN queues hq ON hq.queue_id = h.queue_id AND hq.partner_id IS NULL
        JOIN call_legs l ON l.journey_id = h.journey_id AND l.queue_id <> h.queue_id
        JOIN queues q ON q.queue_id = l.queue_id JOIN partners p ON p.partner_id = q.partner_id
        JOIN agreements a ON a.partner_id = p.partner_id
        WHERE h.outcome = 'overflowed' AND a.overflow_after_s IS NOT NULL
        GROUP BY p.name""").fetchall())
    assert early["Nordic Reliable"] == 0
    assert 0.40 < early["FlexiCall"] < 0.56   # 15 of the 31 whole seconds 15..45 are under 30
    assert "QuickServe" not in early          # its agreement says nothing about the in-house wait


def test_overflowed_in_house_legs_match_partner_legs_by_call_id(built):
    unmatched = built.execute("""
        WITH home AS (SELECT l.* FROM call_legs l JOIN queues q USING (queue_id) WHERE q.partner_id IS NULL),
             away AS (SELECT l.* FROM call_legs l JOIN queues q USING (queue_id) WHERE q.partner_id IS NOT NULL)
        SELECT (SELECT count(*) FROM home WHERE outcome = 'overflowed'
                  AND call_id NOT IN (SELECT call_id FROM away)),
               (SELECT count(*) FROM away WHERE call_id NOT IN
                  (SELECT call_id FROM home WHERE outcome = 'overflowed')),
               (SELECT count(*) FROM home JOIN away USING (call_id)
                  WHERE away.journey_id <> home.journey_id OR away.offered_at < home.offered_at),
               (SELECT count(*) FROM away WHERE outcome = 'overflowed')
    """).fetchone()
    assert unmatched == (0, 0, 0, 0)
    assert one(built, "SELECT count(*) FROM call_legs WHERE outcome = 'overflowed'") > 0.2 * CALLS


def test_answered_shares_sit_in_their_agreed_bands(built):
    rows = built.execute("""
        WITH answered AS (
            SELECT q.partner_id, count(*) AS n FROM call_legs l JOIN queues q USING (queue_id)
            WHERE l.outcome = 'answered' GROUP BY 1)
        SELECT p.name, a.n / (SELECT sum(n) FROM answered), g.share_min, g.share_max
        FROM answered a JOIN partners p USING (partner_id) JOIN agreements g USING (partner_id)
        WHERE g.valid_from = (SELECT min(valid_from) FROM agreements)
    """).fetchall()
    assert len(rows) == 3
    for name, share, low, high in rows:
        assert low <= share <= high, (name, share, low, high)


def test_flexicall_monday_evenings_are_far_below_its_weekday_mornings(built):
    monday_evening, weekday_morning = built.execute(f"""
        SELECT {service_level('monday_evening')}, {service_level('weekday_morning')}
        FROM (SELECT l.*,
                     isodow({LOCAL}) = 1 AND hour({LOCAL}) >= 17 AS monday_evening,
                     isodow({LOCAL}) BETWEEN 2 AND 5 AND hour({LOCAL}) BETWEEN 8 AND 11 AS weekday_morning
              FROM call_legs l JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
              WHERE p.name = 'FlexiCall') l
    """).fetchone()
    assert weekday_morning > 0.6
    assert monday_evening < weekday_morning - 0.25
    staffed = dict(built.execute("""
        SELECT p.name, sum(s.logged_in_min) / sum(s.contracted_min)
        FROM staffing s JOIN queues q USING (queue_id) JOIN partners p USING (partner_id) GROUP BY 1
    """).fetchall())
    assert staffed["FlexiCall"] < staffed["Nordic Reliable"] - 0.08


def test_flexicall_turned_calls_away_on_evenings_nobody_was_logged_in(built):
    turned = {name: (total, evening) for name, total, evening in built.execute(f"""
        SELECT p.name, count(*) FILTER (WHERE l.outcome = 'turned_away'),
               count(*) FILTER (WHERE l.outcome = 'turned_away' AND hour({LOCAL}) >= 17)
        FROM call_legs l JOIN queues q USING (queue_id) JOIN partners p USING (partner_id) GROUP BY 1
    """).fetchall()}
    assert turned["FlexiCall"][0] > 0 and turned["FlexiCall"][0] == turned["FlexiCall"][1]  # evenings only
    assert turned["Nordic Reliable"] == turned["QuickServe"] == (0, 0)
    # all inside its opening hours (07-22): the rollups count them as its misses, none as misrouting
    assert one(built, "SELECT sum(turned_away) FROM interval_rollups") == turned["FlexiCall"][0]
    assert one(built, "SELECT sum(turned_away) - sum(turned_away_inside_hours) FROM interval_rollups") == 0
    assert one(built, "SELECT count(*) FROM call_legs WHERE outcome = 'turned_away' "
                      "AND end_reason IS DISTINCT FROM 'turned_away_no_agents'") == 0


def _per_partner(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, float]:
    return dict(con.execute(sql).fetchall())


def test_quickserve_transfers_back_more_than_nordic_reliable(built):
    rate = _per_partner(built, """
        SELECT p.name, count(*) FILTER (WHERE l.transferred_to = 'in-house'
                                          OR l.transferred_to IN (SELECT name FROM queues WHERE partner_id IS NULL))
                       / count(*)
        FROM call_legs l JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
        WHERE l.outcome = 'answered' GROUP BY 1""")
    assert rate["QuickServe"] > 2 * rate["Nordic Reliable"]
    assert rate["QuickServe"] > 0.1


def test_quickserve_customers_call_again_more_often(built):
    repeat = _per_partner(built, """
        WITH answered AS (
            SELECT p.name, l.call_id, l.customer_id, l.offered_at
            FROM call_legs l JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
            WHERE l.outcome = 'answered' AND l.customer_id IS NOT NULL)
        SELECT a.name, avg(CASE WHEN EXISTS (
                   SELECT 1 FROM call_legs b WHERE b.customer_id = a.customer_id AND b.call_id <> a.call_id
                   AND b.offered_at > a.offered_at AND b.offered_at <= a.offered_at + INTERVAL 7 DAY)
               THEN 1 ELSE 0 END)
        FROM answered a GROUP BY 1""")
    assert repeat["QuickServe"] > repeat["Nordic Reliable"] + 0.04


def test_quickserve_qa_scores_are_lower(built):
    score = _per_partner(built, """
        WITH scored AS (
            SELECT e.evaluation_id, e.queue_id,
                   CASE WHEN bool_or(i.is_fatal AND i.points = 0) THEN 0
                        ELSE sum(i.points * i.weight) FILTER (WHERE NOT i.is_na)
                             / sum(i.max_points * i.weight) FILTER (WHERE NOT i.is_na) END AS score
            FROM qa_evaluations e JOIN qa_items i USING (evaluation_id)
            WHERE NOT e.is_calibration GROUP BY 1, 2)
        SELECT p.name, avg(score) FROM scored JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
        GROUP BY 1""")
    assert score["QuickServe"] < score["Nordic Reliable"] - 0.1
    assert one(built, "SELECT count(*) FROM qa_items WHERE is_na AND points IS NULL") > 0
    assert one(built, "SELECT count(*) FROM qa_items WHERE is_critical AND points = 0") > 0


def test_calibration_sessions_have_several_evaluators_on_one_call(built):
    sessions = built.execute("""
        SELECT calibration_session, count(DISTINCT call_id), count(DISTINCT evaluator), count(*) FILTER (WHERE is_agreed)
        FROM qa_evaluations WHERE is_calibration GROUP BY 1
    """).fetchall()
    assert len(sessions) >= 3 * 20
    assert all(calls == 1 and evaluators >= 4 and agreed == 1 for _, calls, evaluators, agreed in sessions)


def test_surveys_rate_quickserve_below_nordic_reliable(built):
    top_two = _per_partner(built, """
        SELECT p.name, avg(CASE WHEN s.score >= 4 THEN 1 ELSE 0 END)
        FROM survey_answers s JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
        WHERE s.scale = 'csat' GROUP BY 1""")
    assert top_two["QuickServe"] < top_two["Nordic Reliable"] - 0.1
    assert one(built, "SELECT count(DISTINCT scale) FROM survey_answers") == 2


def test_some_weeks_sent_more_than_forecast_plus_tolerance(built):
    excused = one(built, f"""
        WITH sent AS (
            SELECT q.partner_id, date_trunc('week', {LOCAL})::DATE AS week_start, count(*) AS legs
            FROM call_legs l JOIN queues q USING (queue_id) WHERE q.partner_id IS NOT NULL GROUP BY 1, 2)
        SELECT count(*) FROM sent JOIN forecasts f USING (partner_id, week_start) WHERE sent.legs > f.legs * 1.1""")
    weeks = one(built, "SELECT count(*) FROM forecasts")
    assert weeks == 3 * 104
    assert 0 < excused < 0.25 * weeks


def test_agents_in_house_have_names_and_partner_agents_codes(built):
    kinds = built.execute("""
        SELECT q.partner_id IS NULL,
               bool_and(regexp_full_match(l.agent_id, '[a-z]+\\.[a-z]+')),
               bool_and(regexp_full_match(l.agent_id, '[A-Z]{3}-[0-9]{3}'))
        FROM call_legs l JOIN queues q USING (queue_id) WHERE l.agent_id IS NOT NULL GROUP BY 1 ORDER BY 1
    """).fetchall()
    assert kinds == [(False, False, True), (True, True, False)]


def test_meetings_leave_open_and_carried_over_action_items(built):
    per_partner = built.execute("SELECT partner_id, count(*) FROM meetings GROUP BY 1").fetchall()
    assert len(per_partner) == 3 and all(20 <= n <= 25 for _, n in per_partner)
    statuses = dict(built.execute("SELECT status, count(*) FROM action_items GROUP BY 1").fetchall())
    assert statuses.get("open", 0) > 0 and statuses.get("done", 0) > 0 and statuses.get("dropped", 0) > 0
    carried_over = one(built, """
        SELECT count(*) FROM action_items i
        JOIN meetings raised ON raised.meeting_id = i.raised_in
        LEFT JOIN meetings closed ON closed.meeting_id = i.closed_in
        WHERE (SELECT count(*) FROM meetings m WHERE m.partner_id = i.partner_id
                 AND m.held_on > raised.held_on AND m.held_on < coalesce(closed.held_on, DATE '9999-12-31')) > 0""")
    assert carried_over > 0
    histories = built.execute("""
        SELECT list(e.status ORDER BY e.changed_at) = CASE WHEN i.status = 'open' THEN ['open'] ELSE ['open', i.status] END
        FROM action_items i JOIN action_item_events e USING (item_id) GROUP BY i.item_id, i.status""").fetchall()
    assert histories and all(ok for (ok,) in histories)
    assert one(built, "SELECT count(*) FROM action_items WHERE status <> 'open' AND closed_in IS NULL") == 0
    kinds = {row[0] for row in built.execute("SELECT DISTINCT kind FROM activities").fetchall()}
    assert kinds == {"training", "co-listening", "calibration"}


def test_the_last_month_is_closed_with_credits_a_bonus_disputes_and_an_invoice_line_that_differs(built):
    closed = built.execute("SELECT p.name, c.month FROM month_closes c JOIN partners p USING (partner_id) "
                           "ORDER BY p.name").fetchall()
    assert closed == [("FlexiCall", date(2026, 10, 1)), ("QuickServe", date(2026, 10, 1))]
    disputes = built.execute("SELECT p.name, d.status, d.span_start IS NOT NULL FROM disputes d "
                             "JOIN partners p USING (partner_id) ORDER BY d.dispute_id").fetchall()
    assert disputes == [("FlexiCall", "accepted", True), ("FlexiCall", "rejected", False)]
    differing = built.execute("""
        SELECT p.name, i.unit FROM invoice_lines i JOIN partners p USING (partner_id)
        JOIN month_closes c ON c.partner_id = i.partner_id AND c.month = i.month
        WHERE i.quantity <> CAST(json_extract(c.units, '$.' || i.unit) AS DOUBLE)""").fetchall()
    assert differing == [("FlexiCall", "talk_minutes")]
    october = periods.month(date(2026, 10, 1))
    outcomes = {(line.outcome, name) for name in ("FlexiCall", "QuickServe")
                for line in record.record(built, registry.partner_id(built, name), october).lines}
    assert ("credit", "FlexiCall") in outcomes and ("bonus", "QuickServe") in outcomes


def test_cli_mistakes_are_one_line(tmp_path, capsys):
    target = str(tmp_path / "x.duckdb")
    assert cli.main(["demo", "--calls", "5", "--db", target]) == 2
    assert cli.main(["demo", "--end", "2026-11-24", "--db", target]) == 2
    assert cli.main(["demo", "--end", "soon", "--db", target]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        "error: --calls 5 is too few for two years of intervals; give at least 1000",
        "error: --end 2026-11-24 is a Tuesday; give a Monday so the period is whole weeks",
        "error: --end 'soon' is not a date (YYYY-MM-DD)",
    ]


def test_cli_refuses_to_build_over_data_unless_replace(tmp_path, capsys):
    target = str(tmp_path / "x.duckdb")
    args = ["demo", "--calls", "2000", "--end", "2026-11-23", "--db", target]
    assert cli.main(args) == 0
    assert cli.main(args) == 2
    assert "already holds data" in capsys.readouterr().err
    assert cli.main([*args, "--replace", "--seed", "3"]) == 0
    # 104 whole weeks before Monday 23 Nov 2026, written with the last day included
    assert "over 25 Nov 2024–22 Nov 2026, seed 3" in capsys.readouterr().out


def test_an_interrupted_build_leaves_no_database_file(tmp_path):
    target = tmp_path / "new.duckdb"

    def interrupt(fraction: float, step: str) -> None:
        if step == "QA evaluations":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        demo.build(target, calls=2_000, end=END, progress=interrupt)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    demo.build(target, calls=2_000, end=END)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.duckdb"]


def test_default_end_is_this_weeks_monday():
    assert demo.default_end(date(2026, 11, 26)) == date(2026, 11, 23)
    assert demo.default_end(date(2026, 11, 23)) == date(2026, 11, 23)
    assert demo.default_end(date(2026, 11, 29)) == date(2026, 11, 23)
