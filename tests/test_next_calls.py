"""Each customer leg's next call, held in customer_calls.next_at (migration 0019), and the repeat gaps
an import adds from it.

The expected next calls are worked out here in Python from call_legs (the same customer's first later
leg of another call or journey, within 90 days), and FCR for N days with plain SQL over call_legs:
neither uses the store's macros or the held column. A few next calls of the hand-made legs are also
written down (see LEGS)."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb

from data import store
from ingest import importing
from tests.conftest import old_database

HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id,journey_id"
# Imported in three files, in this order; customers C1..C5 and one without a usable id.
BATCHES = {
    "first": [
        "A1,Kundservice,,2026-01-01 10:00:00,answered,5,60,0,5,IN1,4670111,",
        "A2,Kundservice,,2026-01-11 10:00:00,answered,5,60,0,5,IN1,4670111,",
        "A3,Kundservice,,2026-02-20 10:00:00,answered,5,60,0,5,IN1,4670111,",
        "B1,Kundservice,,2026-01-05 09:00:00,answered,5,60,0,5,IN1,4670222,J1",
        "B2,Kundservice,,2026-01-05 09:05:00,answered,5,60,0,5,IN1,4670222,J1",
        "B3,Kundservice,,2026-03-01 09:00:00,answered,5,60,0,5,IN1,4670222,",
        "D1,Kundservice,,2026-01-01 00:00:00,answered,5,60,0,5,IN1,4670444,",
        "E1,Kundservice,,2026-01-01 00:00:00,answered,5,60,0,5,IN1,4670555,",
        "X1,Kundservice,,2026-01-03 10:00:00,answered,5,60,0,5,IN1,anonymous,",
    ],
    "second": [
        "A0,Kundservice,,2025-12-31 12:00:00,answered,5,60,0,5,IN1,4670111,",   # before every held leg of C1
        "A15,Kundservice,,2026-01-05 10:00:00,answered,5,60,0,5,IN1,4670111,",  # between A1 and A2
        "A2,Kundservice,,2026-01-11 10:00:00,answered,5,60,0,5,IN1,4670111,",   # a duplicate
        "B4,Kundservice,,2026-01-05 09:02:00,answered,5,60,0,5,IN1,4670222,",   # between B1 and B2 of journey J1
        "A3b,Kundservice,,2026-02-20 10:00:00,answered,5,60,0,5,IN1,4670111,",  # A3's instant, another call
        "B5,Kundservice,,2026-03-02 09:00:00,abandoned,50,0,0,0,,4670222,",      # an abandoned leg is a next call too
    ],
    "third": [
        "A25,Kundservice,,2026-01-25 10:00:00,answered,5,60,0,5,IN1,4670111,",  # between A2 and A3
        "A3,Kundservice,,2026-02-20 10:00:00,answered,5,60,0,5,IN1,4670111,",   # a duplicate
        "D2,Kundservice,,2026-04-01 00:00:00,answered,5,60,0,5,IN1,4670444,",   # exactly 90 days after D1
        "E2,Kundservice,,2026-04-01 00:00:01,answered,5,60,0,5,IN1,4670555,",   # 90 days and a second after E1
        "X2,Kundservice,,2026-01-04 10:00:00,answered,5,60,0,5,IN1,anonymous,",
        "B6,Kundservice,,2026-01-05 09:01:00,answered,5,60,0,5,IN1,4670222,J1",  # J1 again, before B4
    ],
}

# Days to the next call, worked out by hand from the lines above (None: none within 90 days).
REPEAT_DAYS = {
    "A0": 1,     # A1 22 hours later
    "A1": 4,     # A15 on 5 Jan (was 10 days, A2, before the second file)
    "A15": 6,    # A2
    "A2": 14,    # A25 (was 40 days, A3, before the third file)
    "A25": 26,   # A3 and A3b on 20 Feb
    "A3": None,  # A3b is at the same instant: not later
    "A3b": None,
    "B1": 1,     # B4 two minutes later (B6 and B2 are the same journey J1)
    "B6": 1,     # B4 a minute later
    "B4": 1,     # B2 (journey J1) three minutes later
    "B2": 55,    # B3 on 1 Mar (55 days less five minutes)
    "B3": 1,     # B5, abandoned, a day later
    "B5": None,
    "D1": 90,    # D2 exactly 90 days later
    "E1": None,  # E2 is 90 days and a second later
    "D2": None,
    "E2": None,
}

# An answered leg with a usable id is resolved within N days when no later call of the same customer
# (another call or journey) comes within N days; counted per queue and local day of the reporting zone.
RAW_FCR = """
SELECT l.queue_id, CAST(l.offered_at AT TIME ZONE 'Europe/Stockholm' AS DATE) AS local_day, count(*) AS answered,
       count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM call_legs m
           WHERE m.customer_id = l.customer_id
             AND coalesce(m.journey_id, m.call_id) <> coalesce(l.journey_id, l.call_id)
             AND m.offered_at > l.offered_at
             AND m.offered_at <= l.offered_at + to_days(CAST($days AS INTEGER)))) AS resolved
FROM call_legs l
WHERE l.outcome = 'answered' AND l.customer_id IS NOT NULL AND l.customer_id <> 'anonymous'
GROUP BY ALL
ORDER BY ALL
"""

HELD_FCR = """
SELECT queue_id, local_day, sum(legs) AS answered,
       coalesce(sum(legs) FILTER (WHERE repeat_days IS NULL OR repeat_days > $days), 0) AS resolved
FROM repeat_gaps
WHERE usable
GROUP BY ALL
ORDER BY ALL
"""

DAY_US = 86_400_000_000  # instants are read as epoch microseconds (no time zone module needed)


def _write(path: Path, lines: list[str]) -> Path:
    """The lines as a file, their instants in UTC (no zone's daylight saving moves the 90-day edge)."""
    utc = [re.sub(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", r"\1T\2+00:00", line) for line in lines]
    path.write_text("\n".join([HEADER, *utc]) + "\n", encoding="utf-8")
    return path


def _next_calls_from_legs(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(customer id, offered_at, call key, next call or None) of every leg with a customer id in
    customer_calls, the next call found by looking at every later leg of the customer."""
    legs = con.execute("SELECT customer_id, epoch_us(offered_at), coalesce(journey_id, call_id) FROM call_legs "
                       "WHERE customer_id IN (SELECT customer_id FROM customer_calls)").fetchall()
    by_customer: dict[str, list[tuple]] = {}
    for customer, at, call in legs:
        by_customer.setdefault(customer, []).append((at, call))
    found = []
    for customer, own in by_customer.items():
        for at, call in own:
            later = [other for other, other_call in own if other > at and other_call != call]
            nearest = min(later, default=None)
            found.append((customer, at, nearest if nearest is not None and nearest - at <= 90 * DAY_US else None))
    return sorted(found, key=str)


def _held_next_calls(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return sorted(con.execute("SELECT customer_id, epoch_us(offered_at), epoch_us(next_at) FROM customer_calls").fetchall(), key=str)


def _repeat_days(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    """Days (rounded up) from each leg to its held next call, by call id."""
    rows = con.execute("""
        SELECT l.call_id, epoch_us(c.offered_at), epoch_us(c.next_at)
        FROM call_legs l
        JOIN customer_calls c ON c.customer_id = l.customer_id AND c.offered_at = l.offered_at
                             AND c.call_hash = hash(coalesce(l.journey_id, l.call_id))
    """).fetchall()
    return {call: None if nxt is None else -(-(nxt - at) // DAY_US) for call, at, nxt in rows}


def _imported(db: Path, tmp_path: Path) -> dict[str, importing.ImportSummary]:
    return {name: importing.import_file(_write(tmp_path / f"{name}.csv", lines), db=db)
            for name, lines in BATCHES.items()}


def test_overlapping_imports_hold_each_legs_next_call_and_fcr_equals_the_raw_legs(tmp_path):
    db = tmp_path / "pieces.duckdb"
    summaries = _imported(db, tmp_path)
    assert [(s.imported, s.duplicates) for s in summaries.values()] == [(9, 0), (5, 1), (5, 1)]
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        assert _repeat_days(con) == REPEAT_DAYS
        assert _held_next_calls(con) == _next_calls_from_legs(con)
        for days in (1, 7, 30, 90):
            raw = con.execute(RAW_FCR, {"days": days}).fetchall()
            held = con.execute(HELD_FCR, {"days": days}).fetchall()
            assert held == raw, days
        # the two answered legs without a usable id are counted apart
        assert con.execute("SELECT sum(legs) FROM repeat_gaps WHERE NOT usable").fetchone()[0] == 2
        seven = con.execute(HELD_FCR, {"days": 7}).fetchall()
    # by hand: 16 answered legs with an id; called again within 90 days all but A3, A3b, D2, E1 and E2,
    # within 7 days A0, A1, A15, B1, B6, B4 and B3
    assert (sum(r[2] for r in raw), sum(r[3] for r in raw)) == (16, 5)
    assert sum(r[3] for r in seven) == 16 - 7


def test_a_database_migrated_from_the_previous_schema_holds_the_next_calls_of_one_built_fresh(tmp_path):
    built = tmp_path / "built.duckdb"
    _imported(built, tmp_path)
    older = old_database(tmp_path / "older.duckdb", 18)
    with duckdb.connect(str(older)) as con:  # the legs as schema 18 held them, no next calls
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"ATTACH '{built}' AS built (READ_ONLY)")
        for table in ("partners", "queues", "import_batches", "call_legs", "wait_histogram", "repeat_gaps",
                      "call_paths", "call_journeys", "aggregated_batches", "detail_zone"):
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM built.{table}")
        con.execute("INSERT INTO customer_calls SELECT * FROM customer_calls_of(NULL)")
        assert con.execute("SELECT count(*) FROM customer_calls").fetchone()[0] == 17
    store.create(older)
    with duckdb.connect(str(older), read_only=True) as migrated, duckdb.connect(str(built), read_only=True) as fresh:
        for con in (migrated, fresh):
            con.execute("SET TimeZone = 'UTC'")
        assert _held_next_calls(migrated) == _held_next_calls(fresh) == _next_calls_from_legs(fresh)
        assert _repeat_days(migrated) == REPEAT_DAYS
        rows = "SELECT * EXCLUDE (next_at) REPLACE (epoch_us(offered_at) AS offered_at) FROM customer_calls ORDER BY ALL"
        assert migrated.execute(rows).fetchall() == fresh.execute(rows).fetchall()


def test_the_demo_migrated_holds_the_next_calls_found_from_its_legs(demo_db, tmp_path):
    older = old_database(tmp_path / "older.duckdb", 18)
    with duckdb.connect(str(older)) as con:
        con.execute(f"ATTACH '{demo_db}' AS demo (READ_ONLY)")
        for table in ("partners", "queues", "call_legs"):
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM demo.{table}")
        con.execute("INSERT INTO customer_calls SELECT * FROM customer_calls_of(NULL)")
    store.create(older)
    with duckdb.connect(str(older), read_only=True) as migrated, duckdb.connect(str(demo_db), read_only=True) as demo:
        migrated.execute("SET TimeZone = 'UTC'")
        demo.execute("SET TimeZone = 'UTC'")
        expected = _next_calls_from_legs(demo)
        assert len(expected) > 10_000 and sum(1 for row in expected if row[2] is not None) > 1_000
        assert _held_next_calls(migrated) == _held_next_calls(demo) == expected
