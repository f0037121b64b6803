"""A database filled by importing the legs in pieces holds exactly the rollups and detail aggregates
of one filled by one import of them all: every incremental step of an import (the legs already held,
the rollups of the batch's intervals, the repeat gaps of the batch's customers, the call paths and
journeys of its calls, each read only around the batch's days) gives the rows a whole build gives.

The pieces cut the demo's legs by a hash of their (call id, queue), so each piece spans every day and most
customers, and the legs of one journey land in different pieces; they are imported out of order
(later days first), and a last piece repeats legs already held (duplicates, then nothing to add).
customer_calls is compared with its held next calls (next_at), many of them in another piece."""
from __future__ import annotations

from pathlib import Path

import duckdb

from data import store
from ingest import importing
from partners import registry

# The generic layout's columns, read from the demo's legs.
EXPORT = """
COPY (
    SELECT l.call_id, q.name AS queue, p.name AS partner, strftime(l.offered_at, '%Y-%m-%dT%H:%M:%S') || '+00:00' AS offered_at,
           l.outcome, l.wait_s, l.talk_s, l.hold_s, l.wrap_s, l.agent_id, l.customer_id, l.journey_id,
           l.transferred_to, l.end_reason
    FROM call_legs l JOIN queues q USING (queue_id) LEFT JOIN partners p USING (partner_id)
    WHERE {where}
    ORDER BY l.offered_at, l.call_id
) TO '{target}' (HEADER)
"""

SPLIT = "hash(l.call_id, l.queue_id) % 3"  # a leg is (queue, call id): a call's legs part
LATE = "l.offered_at >= TIMESTAMPTZ '2026-06-01 00:00:00+00'"
PIECES = {  # imported in this order
    "late_of_two_thirds": f"{SPLIT} <> 0 AND {LATE}",
    "one_third": f"{SPLIT} = 0",
    "early_of_two_thirds": f"{SPLIT} <> 0 AND NOT {LATE}",
    "again": "hash(l.call_id) % 7 = 0",
}

# Every row of each table an import keeps, as text (the batch ids differ between the two ways).
TABLES = {
    "call_legs": "* EXCLUDE (batch_id)",
    "interval_rollups": "*",
    "wait_histogram": "*",
    "repeat_gaps": "*",
    "call_paths": "*",
    "call_journeys": "*",
    "customer_calls": "* EXCLUDE (batch_id)",
}


def _export(demo: Path, target: Path, where: str) -> Path:
    with duckdb.connect(str(demo), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(EXPORT.replace("{where}", where).replace("{target}", str(target)))
    return target


def _fresh(path: Path, demo: Path) -> Path:
    """An empty database with the demo's partners and queues, made in the same order (so with the
    same ids) in both databases."""
    with duckdb.connect(str(demo), read_only=True) as con:
        names = [name for (name,) in con.execute("SELECT name FROM partners ORDER BY partner_id").fetchall()]
        queues = con.execute("SELECT q.name, p.name, q.time_zone FROM queues q LEFT JOIN partners p USING (partner_id) "
                             "ORDER BY q.queue_id").fetchall()
    with store.writing(path) as con:
        for name in names:
            registry.add_partner(con, name)
        for queue, partner, zone in queues:
            registry.set_queue(con, queue, partner, zone)
    return path


def _rows(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: sorted(con.execute(f"SELECT CAST(COLUMNS({columns}) AS VARCHAR) FROM {table}").fetchall(),
                              key=str)
                for table, columns in TABLES.items()}


def test_importing_in_pieces_gives_the_aggregates_of_one_import(demo_db, tmp_path):
    whole = _fresh(tmp_path / "whole.duckdb", demo_db)
    once = importing.import_file(_export(demo_db, tmp_path / "all.csv", "TRUE"), db=whole)
    assert once.rejected == 0 and once.duplicates == 0 and once.imported > 20_000

    pieces = _fresh(tmp_path / "pieces.duckdb", demo_db)
    summaries = {name: importing.import_file(_export(demo_db, tmp_path / f"{name}.csv", where), db=pieces)
                 for name, where in PIECES.items()}
    assert sum(s.imported for s in summaries.values()) == once.imported
    assert summaries["again"].imported == 0 and summaries["again"].duplicates > 1000
    assert all(s.imported > 1000 for name, s in summaries.items() if name != "again")

    with duckdb.connect(str(pieces), read_only=True) as con:  # journeys really were split between batches
        split_calls = con.execute("SELECT count(*) FROM (SELECT journey_id FROM call_legs WHERE journey_id IS NOT NULL "
                                  "GROUP BY journey_id HAVING count(DISTINCT batch_id) > 1)").fetchone()[0]
    assert split_calls > 100
    with duckdb.connect(str(pieces), read_only=True) as con:  # next calls held across batches (customer_calls.next_at)
        next_in_other_batch = con.execute(
            "SELECT count(*) FROM customer_calls c WHERE EXISTS (SELECT 1 FROM customer_calls n WHERE n.customer_id = "
            "c.customer_id AND n.offered_at = c.next_at AND n.batch_id <> c.batch_id)").fetchone()[0]
    assert next_in_other_batch > 1000

    expected, held = _rows(whole), _rows(pieces)
    assert all(len(expected[table]) > 100 for table in TABLES)
    assert [table for table in TABLES if held[table] != expected[table]] == []
