"""Which queue_log legs wait for their other file: real imports of two rotated halves, rows by hand.

The halves are the rotation test's log (tests/test_import_queue_log_rotation.py), cut at midnight UTC
(epoch 1341446400 = 2012-07-05 00:00 UTC = 02:00 in Stockholm, CEST). Each batch's finish time is set
by hand and `now` given, so how long a leg has waited is worked out here, not by the code.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import cli
from data import clock, store
from ingest import reads as import_reads
from ingest.importing import import_file
from tests.conftest import old_database
from tests.test_import_queue_log_rotation import AFTER_MIDNIGHT, BEFORE_MIDNIGHT

TZ = "Europe/Stockholm"
NOW = datetime(2026, 11, 24, 12, 30, tzinfo=timezone.utc)
# (finished_at UTC, the same in Stockholm, CET) per import, in import order
FINISHED = [("2026-11-20 10:00:00+00", datetime(2026, 11, 20, 11, 0)),
            ("2026-11-24 12:00:00+00", datetime(2026, 11, 24, 13, 0))]
SHOWN = ["queue", "call_id", "file", "line", "first_event", "kept_at", "waited_s", "missing", "waited"]


@pytest.fixture
def halves(tmp_path):
    paths = []
    for name, lines in (("queue_log.1", BEFORE_MIDNIGHT), ("queue_log.2", AFTER_MIDNIGHT)):
        paths.append(tmp_path / name)
        paths[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def imported(db, *paths) -> None:
    """Import the files in turn, giving the n-th import the n-th finish time of FINISHED."""
    for path, (finished, _) in zip(paths, FINISHED):
        batch = import_file(path, profile="queue-log", db=db).batch_id
        with store.writing(db) as con:
            con.execute("UPDATE import_batches SET finished_at = ?::TIMESTAMPTZ WHERE batch_id = ?", [finished, batch])


def waiting(db) -> list[tuple]:
    with store.reading(db) as con:
        frame = import_reads.queue_log_waiting(con, TZ, NOW)
    return [tuple(row) for row in frame[SHOWN].itertuples(index=False)]


def test_the_first_half_alone_names_the_three_legs_it_carries(db, halves):
    first, _ = halves
    imported(db, first)
    kept = (str(first.resolve()), FINISHED[0][1])
    # imported Fri 20 Nov 10:00 UTC, now Tue 24 Nov 12:30 UTC: 4 d 2 h 30 min = 354,600 s
    assert waiting(db) == [
        ("q1", "c2", kept[0], 4, datetime(2012, 7, 5, 1, 58, 20), kept[1], 354600, "end", "4 d 2 h"),
        ("q1", "c3", kept[0], 6, datetime(2012, 7, 5, 1, 59, 10), kept[1], 354600, "end", "4 d 2 h"),
        ("q2", "c4", kept[0], 7, datetime(2012, 7, 5, 1, 59, 40), kept[1], 354600, "end", "4 d 2 h"),
    ]


def test_after_the_second_half_only_the_call_still_open_at_its_end_waits(db, halves):
    first, second = halves
    imported(db, first, second)
    # c6 entered at 00:06:40 UTC (02:06:40 CEST), line 9 of the second file, imported 30 min before now
    assert waiting(db) == [
        ("q1", "c6", str(second.resolve()), 9, datetime(2012, 7, 5, 2, 6, 40), FINISHED[1][1], 1800, "end", "30 min"),
    ]


def test_the_second_half_first_waits_for_the_starts(db, halves):
    _, second = halves
    imported(db, second)
    kept, at, waited = str(second.resolve()), FINISHED[0][1], 354600
    # c3 ABANDON 00:00:10, c4@q2 EXITWITHTIMEOUT 00:00:20, c2 COMPLETEAGENT 00:01:40 (its CONNECT is in
    # the first file too), c6 ENTERQUEUE 00:06:40 (UTC; +2 h in Stockholm)
    assert waiting(db) == [
        ("q1", "c3", kept, 1, datetime(2012, 7, 5, 2, 0, 10), at, waited, "start", "4 d 2 h"),
        ("q2", "c4", kept, 2, datetime(2012, 7, 5, 2, 0, 20), at, waited, "start", "4 d 2 h"),
        ("q1", "c2", kept, 5, datetime(2012, 7, 5, 2, 1, 40), at, waited, "start", "4 d 2 h"),
        ("q1", "c6", kept, 9, datetime(2012, 7, 5, 2, 6, 40), at, waited, "end", "4 d 2 h"),
    ]


def test_a_middle_part_misses_both_halves_and_keeps_its_first_file_when_the_start_comes(db, tmp_path):
    start, middle = tmp_path / "queue_log.3", tmp_path / "queue_log.2"
    start.write_text("1341446000|c7|q1|NONE|ENTERQUEUE||2007|1\n", encoding="utf-8")
    middle.write_text("1341446400|NONE|q1|Agent/3003|PAUSE||||\n1341532800|c7|q1|Agent/3001|CONNECT|9|c7.1|2\n",
                      encoding="utf-8")
    imported(db, middle)
    # CONNECT at 2012-07-06 00:00 UTC = 02:00 CEST, line 2
    assert waiting(db) == [("q1", "c7", str(middle.resolve()), 2, datetime(2012, 7, 6, 2, 0), FINISHED[0][1], 354600,
                            "start and end", "4 d 2 h")]
    import_file(start, profile="queue-log", db=db)
    # the start joined (a later file's ENTERQUEUE at 23:53:20 UTC on 4 July, 01:53:20 CEST): still no end.
    # The row keeps the file where its lines were first kept, and waits since that import.
    assert waiting(db) == [("q1", "c7", str(middle.resolve()), 2, datetime(2012, 7, 5, 1, 53, 20), FINISHED[0][1],
                            354600, "end", "4 d 2 h")]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["queue-log", "waiting", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_lists_the_waiting_legs_as_text_and_json(db, halves, capsys, monkeypatch):
    first, second = halves
    monkeypatch.setenv(clock.ENV, "2026-11-27")  # the clock's now: Fri 27 Nov 12:00 UTC
    assert run_cli(capsys) == (0, "no queue_log legs wait for their other file\n", "")
    assert run_cli(capsys, "--format", "json") == (0, "[]\n", "")
    imported(db, first, second)
    code, out, _ = run_cli(capsys)
    header, row = out.splitlines()
    assert code == 0
    assert header.split("\t") == ["queue", "call_id", "file", "line", f"first_event ({TZ})", f"kept_at ({TZ})",
                                  "waited", "missing"]
    assert row.split("\t")[:6] + row.split("\t")[7:] == [
        "q1", "c6", str(second.resolve()), "9", "2012-07-05 02:06:40", "2026-11-24 13:00:00", "end"]
    [record] = json.loads(run_cli(capsys, "--format", "json")[1])
    waited_s = record.pop("waited_s")
    assert record == {"queue": "q1", "call_id": "c6", "file": str(second.resolve()), "line": 9,
                      "first_event": "2012-07-05 02:06:40", "kept_at": "2026-11-24 13:00:00", "missing": "end",
                      "time_zone": TZ}
    # the second import finished Tue 24 Nov 12:00 UTC (FINISHED): three whole days before the clock's now
    assert waited_s == 3 * 86400
    assert row.split("\t")[6] == "3 d 0 h"


def test_an_older_file_without_the_table_has_none_waiting(tmp_path):
    with store.reading(old_database(tmp_path / "old.duckdb", 4)) as con:  # before 0005_queue_log_pending
        assert list(import_reads.queue_log_waiting(con, TZ, NOW).columns) == list(import_reads.WAITING_COLUMNS)
        assert import_reads.queue_log_waiting(con, TZ, NOW).empty
