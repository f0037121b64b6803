"""What a change of the reporting zone, of the default T or S, or a queue merge rebuilds, and how
(data/rollups.py: `follow_setting`, `merged_queue`, `rebuild_details` in parts).

Each is compared whole, table by table, with a database built fresh from the same legs and settings
(every derived table emptied with plain SQL, then built from the legs), and with routes that use
none of the store's code: the next calls found in Python from call_legs (tests/test_next_calls.py),
repeat gaps and call paths by plain SQL over call_legs in the new zone. A rebuild in a few parts
equals the one-statement route (migration 0019's `customer_next_calls` over every customer), and
a failure in the middle of one leaves the database as it was."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from data import rollups, settings, store
from data.sqlfiles import sql
from partners import registry
from tests.test_next_calls import _held_next_calls, _next_calls_from_legs

TABLES = ("interval_rollups", "wait_histogram", "repeat_gaps", "call_paths", "customer_calls", "call_journeys",
          "detail_zone", "aggregated_batches")
DERIVED = ("interval_rollups", "wait_histogram", "repeat_gaps", "call_paths", "customer_calls", "call_journeys",
           "detail_zone", "aggregated_batches")
KOLKATA = "Asia/Kolkata"  # +05:30: local days cut on half hours of UTC

# An answered leg's days (rounded up) to the same customer's next call of another call or journey within 90
# days, per queue and local day in $tz: the usable rows of repeat_gaps, by a self-join over the legs.
RAW_REPEAT_GAPS = """
WITH answered AS (
    SELECT l.queue_id, l.offered_at, l.customer_id, coalesce(l.journey_id, l.call_id) AS call_key
    FROM call_legs l
    WHERE l.outcome = 'answered' AND usable_customer_id(l.customer_id)
),
gaps AS (
    SELECT a.queue_id, a.offered_at,
           (SELECT min(m.offered_at) FROM call_legs m
            WHERE m.customer_id = a.customer_id AND coalesce(m.journey_id, m.call_id) <> a.call_key
              AND m.offered_at > a.offered_at AND m.offered_at <= a.offered_at + INTERVAL 90 DAY) AS next_at
    FROM answered a
)
SELECT queue_id, CAST(timezone($tz, offered_at) AS DATE) AS local_day,
       CAST(ceil((epoch_us(next_at) - epoch_us(offered_at)) / 86400000000.0) AS INTEGER) AS repeat_days, count(*)
FROM gaps
GROUP BY ALL
ORDER BY ALL
"""
HELD_REPEAT_GAPS = "SELECT queue_id, local_day, repeat_days, sum(legs) FROM repeat_gaps WHERE usable GROUP BY ALL ORDER BY ALL"
# Calls (journey id, else call id) per local day in $tz of their first leg and whether anyone answered.
RAW_CALLS = """
WITH calls AS (
    SELECT min(offered_at) AS first_at, bool_or(outcome = 'answered') AS answered
    FROM call_legs
    GROUP BY coalesce(journey_id, call_id)
)
SELECT CAST(timezone($tz, first_at) AS DATE) AS local_day, answered, count(*)
FROM calls
GROUP BY ALL
ORDER BY ALL
"""
HELD_CALLS = "SELECT local_day, answered, sum(calls) FROM call_paths GROUP BY ALL ORDER BY ALL"
ONE_STATEMENT = "SELECT customer_id, epoch_us(offered_at), epoch_us(next_at) FROM customer_next_calls(TIMESTAMPTZ '-infinity', NULL, NULL)"


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture
def three_parts(monkeypatch) -> int:
    """Rebuilds in 3 parts: the demo's customers and calls fall in every part."""
    monkeypatch.setattr(rollups, "PARTS", 3)
    return 3


def _raw(path: Path, text: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(text, params or {}).fetchall()


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of each derived table (as text), sorted."""
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return {table: sorted(con.execute(f"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM {table}").fetchall(), key=str)
                for table in TABLES}


def _built_fresh(path: Path, tmp_path: Path, **changed: str) -> Path:
    """A copy of `path` with every derived table emptied by plain SQL, the settings `changed`, then
    built again from its legs (`rebuild_all`, in one part: each statement over every leg)."""
    fresh = tmp_path / "fresh.duckdb"
    shutil.copy(path, fresh)
    with duckdb.connect(str(fresh)) as con:
        for table in DERIVED:
            con.execute(f"DELETE FROM {table}")
        for name, value in changed.items():
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [name, value])
    parts, rollups.PARTS = rollups.PARTS, 1
    try:
        with store.writing(fresh) as con:
            rollups.rebuild_all(con)
    finally:
        rollups.PARTS = parts
    return fresh


def _changed(path: Path, name: str, value: str) -> None:
    """A setting changed as `python -m cli settings set` changes it."""
    with store.writing(path) as con:
        settings.put(con, name, value)
        rollups.follow_setting(con, name)


def test_a_zone_change_keeps_the_next_calls_and_cuts_the_days_as_a_fresh_build(demo_copy, tmp_path, three_parts,
                                                                               statements):
    before = _tables(demo_copy)
    fresh = _built_fresh(demo_copy, tmp_path, reporting_tz=KOLKATA)
    statements.clear()
    _changed(demo_copy, "reporting_tz", KOLKATA)
    after = _tables(demo_copy)
    assert [table for table in TABLES if after[table] != _tables(fresh)[table]] == []
    # the next calls are instants: customer_calls and call_journeys are kept, not written again
    assert (after["customer_calls"], after["call_journeys"]) == (before["customer_calls"], before["call_journeys"])
    assert not [text for text in statements if re.search(r"(DELETE FROM|UPDATE|INSERT INTO) customer_calls", text)]
    assert after["repeat_gaps"] != before["repeat_gaps"] and after["call_paths"] != before["call_paths"]
    assert after["detail_zone"] == [(KOLKATA,)]
    # independent routes, in the new zone
    assert _raw(demo_copy, HELD_REPEAT_GAPS) == _raw(demo_copy, RAW_REPEAT_GAPS, {"tz": KOLKATA})
    raw_calls = _raw(demo_copy, RAW_CALLS, {"tz": KOLKATA})
    assert _raw(demo_copy, HELD_CALLS) == raw_calls and sum(row[2] for row in raw_calls) == 14_597


def test_a_new_default_threshold_rebuilds_only_the_rollups_as_a_fresh_build(demo_copy, tmp_path, statements):
    before = _tables(demo_copy)
    fresh = _built_fresh(demo_copy, tmp_path, sl_threshold_s="33")
    statements.clear()
    _changed(demo_copy, "sl_threshold_s", "33")
    after = _tables(demo_copy)
    assert [table for table in TABLES if after[table] != _tables(fresh)[table]] == []
    assert [table for table in TABLES if after[table] != before[table]] == ["interval_rollups"]
    assert not [text for text in statements if "customer_calls" in text or "call_paths" in text]
    # in-house queues have no agreement: every interval counted with T = 33 (by hand: wait_s <= 33)
    in_house = "SELECT count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= 33) FROM call_legs WHERE queue_id IN (1, 2)"
    held = "SELECT sum(answered_within_threshold), min(threshold_s), max(threshold_s) FROM interval_rollups WHERE queue_id IN (1, 2)"
    assert _raw(demo_copy, held) == [(_raw(demo_copy, in_house)[0][0], 33, 33)]


def test_a_rebuild_in_parts_holds_the_next_calls_of_one_statement(demo_copy, three_parts):
    with store.writing(demo_copy) as con:
        rollups.rebuild_details(con)
    expected = _raw(demo_copy, ONE_STATEMENT)
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        assert _held_next_calls(con) == sorted(expected, key=str) == _next_calls_from_legs(con)
        # every part holds customers and next calls
        per_part = con.execute("SELECT customer_hash % 3, count(next_at) FROM customer_calls GROUP BY ALL").fetchall()
    assert len(per_part) == 3 and min(count for _, count in per_part) > 500


def test_a_merge_of_queues_rebuilds_in_parts_as_a_fresh_build(demo_copy, tmp_path, three_parts):
    with store.writing(demo_copy) as con:
        done = registry.merge_queues(con, "Billing", "Customer Service", "test:admin")
    assert done.legs > 1000
    fresh = _built_fresh(demo_copy, tmp_path)  # from the legs as the merge left them
    after = _tables(demo_copy)
    assert [table for table in TABLES if after[table] != _tables(fresh)[table]] == []
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        assert _held_next_calls(con) == _next_calls_from_legs(con)
        assert con.execute("SELECT count(*) FROM customer_calls WHERE queue_id = 2").fetchone() == (0,)
    assert _raw(demo_copy, HELD_REPEAT_GAPS) == _raw(demo_copy, RAW_REPEAT_GAPS, {"tz": "Europe/Stockholm"})


def test_a_merge_whose_duplicates_change_next_calls_holds_the_new_ones(demo_copy, tmp_path, three_parts):
    """A dropped duplicate that was a leg's next call: that leg's next call moves later (or goes)."""
    with duckdb.connect(str(demo_copy)) as con:
        con.execute("SET TimeZone = 'UTC'")
        # Billing gets a call 59 minutes after each of 40 calls of Customer Service (so it is their next
        # call), and Customer Service the same call id a minute later: the merge drops Billing's.
        con.execute("""
            INSERT INTO call_legs BY NAME
            SELECT * REPLACE (2 AS queue_id, offered_at + INTERVAL 59 MINUTE AS offered_at, 'D-' || call_id AS call_id,
                              'D-' || call_id AS journey_id)
            FROM call_legs
            WHERE queue_id = 1 AND usable_customer_id(customer_id) ORDER BY call_id LIMIT 40""")
        con.execute("""
            INSERT INTO call_legs BY NAME
            SELECT * REPLACE (1 AS queue_id, offered_at + INTERVAL 1 MINUTE AS offered_at)
            FROM call_legs WHERE call_id LIKE 'D-%'""")
    with store.writing(demo_copy) as con:
        rollups.rebuild_all(con)
    held_before = _raw(demo_copy, "SELECT customer_id, epoch_us(offered_at), epoch_us(next_at) FROM customer_calls")
    with store.writing(demo_copy) as con:
        done = registry.merge_queues(con, "Billing", "Customer Service", "test:admin")
    assert done.duplicates == 40
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        held = _held_next_calls(con)
        assert held == _next_calls_from_legs(con)
    assert len(set(held_before) - set(held)) >= 80  # the dropped legs' rows, and the next calls they were
    assert _tables(demo_copy) == _tables(_built_fresh(demo_copy, tmp_path))


@pytest.mark.parametrize("step", ["part_next_calls", "part_paths"])
def test_a_merge_failing_in_a_later_part_leaves_the_database_as_it_was(demo_copy, three_parts, monkeypatch, step):
    before = _tables(demo_copy), _raw(demo_copy, "SELECT count(*), sum(queue_id) FROM call_legs")
    real = store.execute

    def failing(con, text, params=None, **kwargs):
        if text == sql("aggregates", step) and params["part"] == 2:
            raise store.StoreError("the disk is full")
        return real(con, text, params, **kwargs)

    monkeypatch.setattr(store, "execute", failing)
    with pytest.raises(store.StoreError, match="the disk is full"):
        with store.writing(demo_copy) as con:
            registry.merge_queues(con, "Billing", "Customer Service", "test:admin")
    assert (_tables(demo_copy), _raw(demo_copy, "SELECT count(*), sum(queue_id) FROM call_legs")) == before


def test_a_zone_change_failing_in_a_later_part_leaves_the_zone_and_the_tables_as_they_were(demo_copy, three_parts,
                                                                                          monkeypatch):
    before = _tables(demo_copy)
    real = store.execute

    def failing(con, text, params=None, **kwargs):
        if text == sql("aggregates", "part_paths") and params["part"] == 2:
            raise store.StoreError("the disk is full")
        return real(con, text, params, **kwargs)

    monkeypatch.setattr(store, "execute", failing)
    with pytest.raises(store.StoreError):
        _changed(demo_copy, "reporting_tz", KOLKATA)
    assert _tables(demo_copy) == before
    assert _raw(demo_copy, "SELECT value FROM settings WHERE name = 'reporting_tz'") in ([], [("Europe/Stockholm",)])
