"""Interval rollups: hand-counted legs in, the stored numerators and denominators out."""
from __future__ import annotations

import pytest

from data import rollups, store
from ingest.importing import import_file
from metrics.tables import table
from partners import agreements, registry

QUEUES = """
INSERT INTO partners (partner_id, name) VALUES (1, 'Acme');
INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL), (2, 'acme', 1);
"""

# Batch 1: queue 'house' 2026-03-02 08:00-08:15 UTC, and queue 'acme' 08:15-08:30 UTC.
BATCH_1 = """
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, hold_s, wrap_s, transferred_to, batch_id) VALUES
 (1, 'h1', '2026-03-02 08:00:00+00', 'answered',   20, 100, 10,   5,    NULL,       1),  -- wait exactly at T=20: within
 (1, 'h2', '2026-03-02 08:14:59+00', 'answered',   21, 200, NULL, NULL, NULL,       1),  -- 1 s over T
 (1, 'h3', '2026-03-02 08:05:00+00', 'abandoned',   5, NULL, NULL, NULL, NULL,      1),  -- exactly at S=5: not short
 (1, 'h4', '2026-03-02 08:06:00+00', 'abandoned',   4, NULL, NULL, NULL, NULL,      1),  -- short
 (1, 'h5', '2026-03-02 08:07:00+00', 'overflowed', 30, NULL, NULL, NULL, NULL,      1),
 (2, 'a1', '2026-03-02 08:15:00+00', 'answered',   25, 60,  0,    30,   'in-house', 1),
 (2, 'a2', '2026-03-02 08:29:59+00', 'answered',    3, 40,  NULL, 20,   'sales',    1),
 (2, 'a3', '2026-03-02 08:20:00+00', 'abandoned',   9, NULL, NULL, NULL, NULL,      1);
"""

# Batch 2: one more leg in the 'house' 08:00 interval and one in a new interval 08:30.
BATCH_2 = """
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, hold_s, wrap_s, transferred_to, batch_id) VALUES
 (1, 'h6', '2026-03-02 08:10:00+00', 'answered',   2, 50, 0, 0, NULL, 2),
 (1, 'h7', '2026-03-02 08:30:00+00', 'abandoned', 40, NULL, NULL, NULL, NULL, 2);
"""

COLUMNS = ("threshold_s, short_abandon_s, offered, answered, abandoned, overflowed, answered_within_threshold, "
           "abandoned_within_threshold, short_abandoned, answered_wait_s, abandoned_wait_s, handle_s, "
           "transferred, transferred_back")


def rows(con) -> dict[tuple[int, str], tuple]:
    result = con.execute(
        f"SELECT queue_id, strftime(interval_start AT TIME ZONE 'UTC', '%H:%M'), {COLUMNS} FROM interval_rollups"
    ).fetchall()
    return {(r[0], r[1]): tuple(r[2:]) for r in result}


HOUSE_0800 = (20, 5, 5, 2, 2, 1, 1, 2, 1, 41, 9, 315, 0, 0)
ACME_0815_DEFAULT = (20, 5, 3, 2, 1, 0, 1, 1, 0, 28, 9, 150, 2, 1)


def test_refresh_batch_counts_with_default_t_and_s(db):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        rollups.refresh_batch(con, 1)
        assert rows(con) == {(1, "08:00"): HOUSE_0800, (2, "08:15"): ACME_0815_DEFAULT}


def test_refresh_batch_rebuilds_only_touched_intervals_with_all_their_legs(db):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        rollups.refresh_batch(con, 1)
        con.execute("UPDATE interval_rollups SET offered = 999 WHERE queue_id = 2")  # marks an untouched row
        con.execute(BATCH_2)
        rollups.refresh_batch(con, 2)
        got = rows(con)
    assert got[(1, "08:00")] == (20, 5, 6, 3, 2, 1, 2, 2, 1, 43, 9, 365, 0, 0)
    assert got[(1, "08:30")] == (20, 5, 1, 0, 1, 0, 0, 0, 0, 0, 40, 0, 0, 0)
    assert got[(2, "08:15")][2] == 999


def test_refresh_partner_applies_the_agreement_in_force_on_the_local_day(db):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        rollups.refresh_batch(con, 1)
        # From 2026-03-02 (Stockholm day): T = 25, S = 10. An older version must not apply.
        con.execute("INSERT INTO agreements (partner_id, valid_from, sl_threshold_s, short_abandon_s) VALUES "
                    "(1, '2026-01-01', 10, 2), (1, '2026-03-02', 25, 10), (1, '2026-03-03', 1, 1)")
        rollups.refresh_partner(con, 1)
        got = rows(con)
    assert got[(2, "08:15")] == (25, 10, 3, 2, 1, 0, 2, 1, 1, 28, 9, 150, 2, 1)
    assert got[(1, "08:00")] == HOUSE_0800


def test_rebuild_all_equals_incremental_refreshes(db):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1 + BATCH_2)
        rollups.refresh_batch(con, 1)
        rollups.refresh_batch(con, 2)
        incremental = rows(con)
        rollups.rebuild_all(con)
        assert rows(con) == incremental
        assert len(incremental) == 3


def test_refreshing_a_batch_again_or_a_batch_of_only_duplicates_changes_nothing(db):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        rollups.refresh_batch(con, 1)
        once = rows(con)
        rollups.refresh_batch(con, 1)
        rollups.refresh_batch(con, 7)  # a batch whose every row was a duplicate: no legs carry its id
        assert rows(con) == once


TWO_AGREEMENTS = """
INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id) VALUES
 (2, 'mon', '2026-03-02 10:00:00+00', 'answered', 20, 60, 1),
 (2, 'wed', '2026-03-04 10:00:00+00', 'answered', 20, 60, 1),
 (2, 'wed-early', '2026-03-03 23:30:00+00', 'abandoned', 7, NULL, 1);  -- Wed 00:30 in Stockholm
"""


def test_a_week_spanning_two_agreements_counts_each_day_with_its_own_t_and_s(db):
    from datetime import date


    with store.writing(db) as con:
        con.execute(QUEUES + TWO_AGREEMENTS)
        agreements.add_version(con, 1, date(2026, 1, 1), sl_threshold_s=10, short_abandon_s=5)
        agreements.add_version(con, 1, date(2026, 3, 4), sl_threshold_s=30, short_abandon_s=10)
        week = table(con, "week", "partner", tz="Europe/Stockholm").to_dict("records")
    # Monday waited 20 > T=10; Wednesday 20 <= T=30; the 7 s abandon is on Wednesday local (S=10): short.
    assert [(r["group"], r["answered_within_threshold"], r["short_abandoned"], r["service_level"]) for r in week] == [
        ("Acme", 1, 1, 0.5)]


def _move_by_hand(con) -> None:
    con.execute("UPDATE queues SET partner_id = 1 WHERE queue_id = 1")
    rollups.refresh_queue(con, 1)


def _move_with_the_registry(con) -> None:

    registry.set_queue(con, "house", partner="Acme")


@pytest.mark.parametrize("move", [_move_by_hand, _move_with_the_registry])
def test_a_queue_moved_to_a_partner_takes_the_partners_t_and_s(db, move):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        con.execute("INSERT INTO agreements (partner_id, valid_from, sl_threshold_s, short_abandon_s) "
                    "VALUES (1, '2026-01-01', 21, 4)")
        rollups.rebuild_all(con)
        assert rows(con)[(1, "08:00")][:3] == (20, 5, 5)
        move(con)
        # h2 waited 21 s: now within T; h4 abandoned at 4 s: no longer short (S = 4).
        assert rows(con)[(1, "08:00")] == (21, 4, 5, 2, 2, 1, 2, 2, 0, 41, 9, 315, 0, 0)


def test_importing_the_same_file_twice_leaves_the_rollups_as_they_were(db, tmp_path):

    csv = tmp_path / "legs.csv"
    csv.write_text("call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
                   "c1,house,,2026-03-02T08:00:00+00:00,answered,20,100,10,5,,\n"
                   "c2,house,,2026-03-02T08:14:59+00:00,abandoned,4,,,,,\n", encoding="utf-8")
    first = import_file(csv, db=db)
    with store.reading(db) as con:
        once = rows(con)
    second = import_file(csv, db=db)
    with store.reading(db) as con:
        assert rows(con) == once == {(1, "08:00"): (20, 5, 2, 1, 1, 0, 1, 1, 1, 20, 4, 115, 0, 0)}
    assert (first.imported, second.imported, second.duplicates) == (2, 0, 2)
