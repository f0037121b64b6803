"""p90 wait, FCR (several N), the in-house benchmark's counts and the SL heatmap read from the
aggregates (wait_histogram, repeat_gaps, interval_rollups) equal what plain SQL over the raw legs
gives: on the demo, after a second import that puts new calls of existing customers before, between
and after their calls, and on an older database brought forward by migration 0011."""
from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from data import rollups, settings, store
from ingest import importing
from metrics import measures, scorecard, series
from partners import periods, registry

TZ = "Europe/Stockholm"
PERIODS = (periods.parse("2026-W47"), periods.parse("2026-10"), periods.between(dt.date(2026, 9, 28),
                                                                                 dt.date(2026, 11, 24)))
FCR_DAYS = (1, 3, 7, 30, 90)


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A private copy of the session's demo database (these tests write to it)."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def _raw(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    """Plain DuckDB, outside the project's code, on a UTC session as the store's."""
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or {}).fetchall()


def _bounds(period: periods.Period) -> dict[str, dt.datetime]:
    start, end = period.utc_bounds(TZ)
    return {"start": start, "end": end}


def raw_p90(path: Path, period: periods.Period) -> dict[int | None, tuple[int, int]]:
    """Per partner (None = in-house): the wait at position ceil(0.9 n) of the sorted answered waits, and n."""
    rows = _raw(path, """
        SELECT q.partner_id, list(l.wait_s ORDER BY l.wait_s)
        FROM call_legs l JOIN queues q ON q.queue_id = l.queue_id
        WHERE l.outcome = 'answered' AND l.offered_at >= $start AND l.offered_at < $end
        GROUP BY q.partner_id""", _bounds(period))
    return {pid: (waits[math.ceil(0.9 * len(waits)) - 1], len(waits)) for pid, waits in rows}


def raw_fcr(path: Path, period: periods.Period, days: int) -> dict[int | None, tuple[int, int, int]]:
    """Per partner: answered legs with a usable customer id, those with no other call of the customer
    in (offered_at, offered_at + days], and answered legs without a usable id."""
    rows = _raw(path, """
        SELECT q.partner_id,
               count(*) FILTER (WHERE usable_customer_id(f.customer_id)),
               count(*) FILTER (WHERE usable_customer_id(f.customer_id) AND NOT EXISTS (
                   SELECT 1 FROM call_legs r
                   WHERE r.customer_id = f.customer_id
                     AND coalesce(r.journey_id, r.call_id) <> coalesce(f.journey_id, f.call_id)
                     AND r.offered_at > f.offered_at
                     AND r.offered_at <= f.offered_at + to_days(CAST($days AS INTEGER)))),
               count(*) FILTER (WHERE NOT usable_customer_id(f.customer_id))
        FROM call_legs f JOIN queues q ON q.queue_id = f.queue_id
        WHERE f.outcome = 'answered' AND f.offered_at >= $start AND f.offered_at < $end
        GROUP BY q.partner_id""", {**_bounds(period), "days": days})
    return {pid: counts for pid, *counts in rows for counts in [tuple(counts)]}


def raw_calls(path: Path, period: periods.Period) -> tuple[dict[int | None, tuple[int, int, int]], tuple[int, int]]:
    """Per partner: calls (journey id, else call id) whose first leg is in the period with a leg in its
    queues, those it answered, its turned-away legs of them; and the centre's calls and answered calls."""
    bounds = _bounds(period)
    calls = """WITH calls AS (SELECT coalesce(journey_id, call_id) AS call, min(offered_at) AS first_at,
                                    bool_or(outcome = 'answered') AS answered
                             FROM call_legs GROUP BY 1)
               SELECT * FROM calls WHERE first_at >= $start AND first_at < $end"""
    routed = _raw(path, f"""
        WITH inside AS ({calls})
        SELECT q.partner_id, count(DISTINCT i.call), count(DISTINCT i.call) FILTER (WHERE l.outcome = 'answered'),
               count(*) FILTER (WHERE l.outcome = 'turned_away')
        FROM inside i JOIN call_legs l ON coalesce(l.journey_id, l.call_id) = i.call
        JOIN queues q ON q.queue_id = l.queue_id
        GROUP BY q.partner_id""", bounds)
    centre = _raw(path, f"WITH inside AS ({calls}) SELECT count(*), count(*) FILTER (WHERE answered) FROM inside", bounds)
    return {pid: tuple(counts) for pid, *counts in routed}, centre[0]


def raw_partner_waits(path: Path, period: periods.Period) -> dict[int, int]:
    """Per partner: the summed waits of its legs of the calls whose first leg is in the period."""
    return dict(_raw(path, """
        WITH calls AS (SELECT coalesce(journey_id, call_id) AS call FROM call_legs GROUP BY 1
                       HAVING min(offered_at) >= $start AND min(offered_at) < $end)
        SELECT q.partner_id, sum(l.wait_s)
        FROM calls c JOIN call_legs l ON coalesce(l.journey_id, l.call_id) = c.call
        JOIN queues q ON q.queue_id = l.queue_id
        WHERE q.partner_id IS NOT NULL
        GROUP BY q.partner_id""", _bounds(period)))


def raw_in_house(path: Path, period: periods.Period, t: int, s: int) -> tuple[int, ...]:
    """In-house legs: offered, answered within t, abandoned within t, abandoned under s."""
    return _raw(path, """
        SELECT count(*), count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= $t),
               count(*) FILTER (WHERE outcome = 'abandoned' AND wait_s <= $t),
               count(*) FILTER (WHERE outcome = 'abandoned' AND wait_s < $s)
        FROM call_legs l JOIN queues q ON q.queue_id = l.queue_id
        WHERE q.partner_id IS NULL AND l.offered_at >= $start AND l.offered_at < $end""",
                {**_bounds(period), "t": t, "s": s})[0]


def raw_heatmap(path: Path, period: periods.Period) -> dict[tuple[int, int, int], tuple[int, int]]:
    """Per partner, ISO weekday and local hour: offered legs, and answered within the T of the
    agreement in force on the leg's local day (else the default)."""
    rows = _raw(path, """
        WITH legs AS (
            SELECT q.partner_id, l.outcome, l.wait_s, timezone($tz, l.offered_at) AS local_at
            FROM call_legs l JOIN queues q ON q.queue_id = l.queue_id
            WHERE q.partner_id IS NOT NULL AND l.offered_at >= $start AND l.offered_at < $end)
        SELECT l.partner_id, isodow(l.local_at), hour(l.local_at), count(*),
               count(*) FILTER (WHERE l.outcome = 'answered' AND l.wait_s <= coalesce(
                   (SELECT a.sl_threshold_s FROM agreement_spans a
                    WHERE a.partner_id = l.partner_id AND a.valid_from <= CAST(l.local_at AS DATE)
                      AND (a.valid_to IS NULL OR CAST(l.local_at AS DATE) < a.valid_to)),
                   (SELECT CAST(value AS INTEGER) FROM settings WHERE name = 'sl_threshold_s'), $default_t))
        FROM legs l GROUP BY ALL""", {**_bounds(period), "tz": TZ,
                                                "default_t": int(settings.get(None, "sl_threshold_s"))})
    return {(pid, day, hour): (offered, within) for pid, day, hour, offered, within in rows}


def assert_aggregates_match_legs(path: Path) -> None:
    with store.reading(path) as con:
        assert measures.statement_for(con, "fcr", {"tz": TZ, "days": 90}) == "fcr_gaps"
        assert measures.statement_for(con, "p90_wait", {"tz": TZ}) == "p90_wait_histogram"
        for period in PERIODS:
            found = measures.measure(con, period, TZ, fcr_days=7, only=("p90",))
            p90 = raw_p90(path, period)
            assert {pid: (f["p90_wait_s"].value, f["p90_wait_s"].sample_size)
                    for pid, f in found.items() if "p90_wait_s" in f} == p90
            for days in FCR_DAYS:
                fcr = measures.measure(con, period, TZ, fcr_days=days, only=("fcr",))
                got = {pid: (f["fcr"].denominator, f["fcr"].numerator, f["fcr"].left_out) for pid, f in fcr.items()}
                assert got == raw_fcr(path, period, days), (period.label, days)
            for t, s in ((20, 5), (0, 0), (45, 10)):
                row = measures.detail_rows(con, "in_house_service_counts",
                                           {**measures.range_params(period, TZ), "t": t, "s": s}, None)[0]
                assert (row["offered"], row["answered_within_threshold"], row["abandoned_within_threshold"],
                        row["short_abandoned"]) == raw_in_house(path, period, t, s)
            routed, (calls, answered_calls) = raw_calls(path, period)
            volume = measures.measure(con, period, TZ, fcr_days=7, only=("calls",))
            for pid, f in volume.items():
                assert (f["volume_share"].denominator, f["answered_share"].denominator) == (calls, answered_calls)
                assert (f["calls_routed"].value, f["answered_share"].numerator) == routed.get(pid, (0, 0, 0))[:2]
            assert set(routed) <= set(volume)
            journeys = measures.measure(con, period, TZ, fcr_days=7, only=("journeys",), partner_ids=[
                pid for pid in routed if pid is not None])
            waits = raw_partner_waits(path, period)
            for pid, f in journeys.items():
                assert (f["partner_wait_s"].denominator, f["partner_wait_s"].numerator) == (routed[pid][0], waits[pid])
            cells = [((int(r.partner_id), r.weekday, r.hour), (r.offered, r.numerator))
                     for r in series.sl_heatmap(con, period, TZ).dropna(subset=["partner_id"]).itertuples()]
            assert dict(cells) == raw_heatmap(path, period)
            assert_journeys_match_legs(con, period)


def assert_journeys_match_legs(con, period: periods.Period) -> None:
    """The customer's call read from call_journeys equals the same statement over the legs, for
    several terms (T, S, the in-house wait before overflow) and grains."""
    assert measures.statement_for(con, "journeys", {"tz": TZ}) == "journeys_held"
    for t, s, after in ((20, 5, 30), (0, 0, None), (45, 10, 5)):
        params = {**measures.range_params(period, TZ), "t": t, "s": s, "overflow_after_s": after}
        for grain in ("total", "day"):
            held = measures.detail_rows(con, "journeys", params, None, grain=grain)
            legs = store.execute(con, *_bound(measures.detail_sql("journeys", dict(params), None, grain=grain),
                                              params)).dicts()
            assert held == legs, (period.label, t, s, after, grain)
            assert sum(row["calls_routed"] for row in held) > 0


def _bound(text: str, params: dict) -> tuple[str, dict]:
    return text, measures.used_values(text, params)


def test_the_demo_aggregates_equal_the_legs(demo_copy):
    fcr = raw_fcr(demo_copy, PERIODS[2], 7)
    assert sum(answered for answered, _, _ in fcr.values()) > 1000  # a real sample
    assert any(resolved < answered for answered, resolved, _ in fcr.values())  # and real repeats
    assert_aggregates_match_legs(demo_copy)


def _interleaving_file(path: Path, target: Path) -> int:
    """A generic-layout file of new calls by customers the database holds: for each of 300 customers
    with several calls, one answered call an hour before their first, one halfway between two of
    their calls, and one 36 hours after their last; returns the number of legs."""
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"""
            COPY (
            WITH picked AS (
                SELECT customer_id, list(offered_at ORDER BY offered_at) AS times, min(queue_id) AS queue_id
                FROM call_legs
                WHERE usable_customer_id(customer_id) AND offered_at >= TIMESTAMPTZ '2026-06-01 00:00:00+00'
                GROUP BY customer_id HAVING count(*) >= 3
                ORDER BY customer_id LIMIT 300),
            moments AS (
                SELECT customer_id, queue_id, unnest([times[1] - INTERVAL 1 HOUR,
                                                      times[2] + (times[3] - times[2]) / 2,
                                                      times[len(times)] + INTERVAL 36 HOUR]) AS at,
                       generate_subscripts([1, 2, 3], 1) AS n
                FROM picked)
            SELECT 'AGG-' || m.customer_id || '-' || m.n AS call_id, q.name AS queue, coalesce(p.name, '') AS partner,
                   strftime(m.at, '%Y-%m-%dT%H:%M:%S') || '+00:00' AS offered_at, 'answered' AS outcome,
                   7 + m.n AS wait_s, 60 AS talk_s, 0 AS hold_s, 5 AS wrap_s, 'agent-1' AS agent_id,
                   m.customer_id, NULL AS journey_id, NULL AS transferred_to
            FROM moments m JOIN queues q ON q.queue_id = m.queue_id LEFT JOIN partners p ON p.partner_id = q.partner_id
            ) TO '{target}' (HEADER)""")
    return sum(1 for _ in target.open()) - 1


TABLES = ("interval_rollups", "wait_histogram", "repeat_gaps", "call_paths", "call_journeys", "aggregated_batches", "customer_calls")


def test_an_import_of_interleaved_calls_updates_the_neighbours(demo_copy, tmp_path):
    before = raw_fcr(demo_copy, PERIODS[2], 7)
    legs = _interleaving_file(demo_copy, tmp_path / "more.csv")
    assert legs == 900
    summary = importing.import_file(tmp_path / "more.csv", profile="generic", db=demo_copy)
    assert summary.imported == legs
    assert raw_fcr(demo_copy, PERIODS[2], 7) != before  # the new calls turned earlier calls into repeats
    assert_aggregates_match_legs(demo_copy)
    held = _tables(demo_copy)  # and the tables kept up by imports equal a full rebuild
    with store.writing(demo_copy) as con:
        rollups.rebuild_details(con)
    rebuilt = _tables(demo_copy)
    assert [table for table in TABLES if held[table] != rebuilt[table]] == []


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of each aggregate table, sorted."""
    with store.reading(path) as con:
        return {table: sorted(store.execute(con, f"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM {table}").rows, key=str)
                for table in TABLES}


def _interleave(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / "more.csv"
    assert _interleaving_file(path, target) == 900
    return target


def test_an_older_database_is_brought_forward_with_its_aggregates(demo_copy):
    with duckdb.connect(str(demo_copy)) as con:  # the file without migration 11: no detail aggregates
        con.execute("DROP TABLE wait_histogram; DROP TABLE repeat_gaps; DROP TABLE detail_zone")
        con.execute("DROP TABLE customer_calls; DROP TABLE call_paths")
        for macro in ("repeat_gap_changes", "answered_repeats", "wait_counts", "customer_calls_of",
                      "call_path_changes", "call_path_counts"):
            con.execute(f"DROP MACRO TABLE {macro}")
        con.execute("DROP MACRO repeat_days_between")
        con.execute("DROP TABLE call_journeys; DROP TABLE aggregated_batches; DROP MACRO TABLE call_journeys_of")
        con.execute("DELETE FROM schema_version WHERE version IN (11, 16)")  # later migrations stay applied
    store.create(demo_copy)
    assert_aggregates_match_legs(demo_copy)


def test_a_batch_refreshed_again_leaves_the_aggregates_as_a_rebuild(demo_copy, tmp_path):
    """refresh_batch run twice on the same batch (a retry after a failure, a repeated refresh) changes
    nothing: every aggregate equals a rebuild from the legs."""
    importing.import_file(_interleave(demo_copy, tmp_path), profile="generic", db=demo_copy)
    with store.writing(demo_copy) as con:
        batch = store.execute(con, "SELECT max(batch_id) FROM call_legs").scalar()
        rollups.refresh_batch(con, batch)
        rollups.refresh_batch(con, batch)
    held = _tables(demo_copy)
    with store.writing(demo_copy) as con:
        rollups.rebuild_all(con)
    rebuilt = _tables(demo_copy)
    assert [table for table in TABLES if held[table] != rebuilt[table]] == []
    assert len(held["call_journeys"]) > 1000 and len(held["repeat_gaps"]) > 100


def test_a_new_reporting_zone_rebuilds_the_aggregates_in_it(demo_copy):
    """Days cut in another zone: the aggregates follow the setting; a read in a zone they are not
    cut in reads the legs (and gives the same figures)."""
    with store.reading(demo_copy) as con:
        kolkata = measures.measure(con, PERIODS[0], "Asia/Kolkata", fcr_days=7, only=("p90", "fcr"))
        assert measures.statement_for(con, "fcr", {"tz": "Asia/Kolkata", "days": 7}) == "fcr"
    with store.writing(demo_copy) as con:
        settings.put(con, "reporting_tz", "Asia/Kolkata")
        rollups.rebuild_all(con)
    with store.reading(demo_copy) as con:
        assert measures.statement_for(con, "fcr", {"tz": "Asia/Kolkata", "days": 7}) == "fcr_gaps"
        assert measures.measure(con, PERIODS[0], "Asia/Kolkata", fcr_days=7, only=("p90", "fcr")) == kolkata


def _differences(a, b, path: str = "") -> list[str]:
    """Where two plain values differ (floats beyond 1e-12 relative: sums of doubles may add up in
    another order)."""
    if isinstance(a, dict):
        return [d for k in a for d in _differences(a[k], b.get(k), f"{path}.{k}")]
    if isinstance(a, list):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12):
        return []
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_the_overview_read_for_every_partner_at_once_equals_each_scorecard_read_alone(demo_copy):
    with store.reading(demo_copy) as con:
        for period in PERIODS[:2]:
            alone = [scorecard.scorecard(con, pid, period) for pid in sorted(
                store.execute(con, "SELECT partner_id FROM partners ORDER BY name").rows[i][0]
                for i in range(3))]
            together = scorecard.overview(con, period)
            by_id = {card.partner_id: card.as_dict() for card in together}
            for card in alone:
                assert _differences(card.as_dict(), by_id[card.partner_id]) == []
            assert _differences(scorecard.scorecard(con, None, period).as_dict(), by_id[None]) == []


def test_the_longest_repeat_window_held_is_the_most_fcr_days_allowed():
    """repeat_days_between (migration 0011) keeps gaps of up to 90 days: FCR with more days would
    read the legs, so the limit of the setting and the agreements must not exceed it."""
    migration = next(p for v, p in store.migrations() if v == 11).read_text()
    assert "<= 90" in migration
    assert settings.limits("fcr_days")[1] == 90


def test_a_queue_moved_to_another_owner_rewrites_the_journeys(demo_copy):
    """call_journeys is per partner: after a partner's queue moves in-house, the customer's call read
    from it still equals the same statement over the legs (which sees the new owner)."""
    with store.reading(demo_copy) as con:
        queue = store.execute(con, "SELECT name FROM queues WHERE partner_id IS NOT NULL ORDER BY name LIMIT 1").scalar()
        before = measures.detail_rows(con, "journeys", {**measures.range_params(PERIODS[1], TZ), "t": 20, "s": 5,
                                                        "overflow_after_s": 30}, None)
    with store.writing(demo_copy) as con:
        registry.set_queue(con, queue, None)
    with store.reading(demo_copy) as con:
        assert_journeys_match_legs(con, PERIODS[1])
        after = measures.detail_rows(con, "journeys", {**measures.range_params(PERIODS[1], TZ), "t": 20, "s": 5,
                                                       "overflow_after_s": 30}, None)
    assert after != before  # the moved queue's calls are no longer that partner's
