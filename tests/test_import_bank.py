"""The anonymous-bank profile on the real January 1999 file, record by record.

The expected counts are computed here with plain Python from the raw file, following the mapping
in the data set's README, not by the importer's SQL.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from data import store
from ingest.importing import import_file
from tests.conftest import SHARED_DATA, needs_shared_data, pseudonym

pytestmark = needs_shared_data

JANUARY = SHARED_DATA / "anonymous_bank_1999_01_january.txt"
HEADER = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit"
          "\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver")


def expected_from_raw_file():
    """(rule counts, {(queue, outcome): [legs, sum wait, sum talk]}) by reading the file line by line."""
    rules: Counter = Counter()
    per_queue: dict = defaultdict(lambda: [0, 0, 0])
    with JANUARY.open(encoding="utf-8", newline="") as handle:
        lines = handle.read().split("\r\n")
    assert lines[0] == HEADER and lines[-1] == ""
    for line in lines[1:-1]:
        f = line.split("\t")
        outcome, queued = f[12], f[9] != "0:00:00"
        if outcome == "PHANTOM":
            rules["phantom"] += 1
        elif outcome == "HANG" and not queued:
            rules["hung-up-in-voice-menu"] += 1
        else:
            leg = "answered" if outcome == "AGENT" else "abandoned"
            totals = per_queue[(f[4], leg)]
            totals[0] += 1
            totals[1] += int(f[11]) if queued else 0
            totals[2] += int(f[15]) if leg == "answered" else 0
    return rules, per_queue


@pytest.fixture(scope="module")
def january(tmp_path_factory):
    db = tmp_path_factory.mktemp("bank") / "bank.duckdb"
    summary = import_file(JANUARY, profile="anonymous-bank", db=db)
    return db, summary


def test_every_january_record_is_accounted_for(january):
    db, summary = january
    rules, per_queue = expected_from_raw_file()
    legs = sum(v[0] for v in per_queue.values())
    assert summary.read == 31_599
    assert summary.filtered_by == dict(rules) == {"phantom": 240, "hung-up-in-voice-menu": 1198}
    assert (summary.imported, summary.duplicates, summary.filtered, summary.rejected) == (legs, 0, 1438, 0)
    assert legs == 30_161
    stored = store.query(
        """
        SELECT q.name, l.outcome, count(*), sum(l.wait_s), coalesce(sum(l.talk_s), 0)
        FROM call_legs l JOIN queues q USING (queue_id) GROUP BY ALL ORDER BY ALL
        """,
        path=db,
    ).rows
    assert stored == sorted((q, o, *v) for (q, o), v in per_queue.items())
    assert store.query("SELECT count(*) FROM queues WHERE partner_id IS NOT NULL OR time_zone <> 'Asia/Jerusalem'",
                       path=db).rows == [(0,)]


def test_times_are_local_israel_time_stored_in_utc(january):
    db, _ = january
    rows = store.query(
        """
        SELECT call_id, strftime(offered_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), outcome, wait_s, talk_s,
               agent_id, customer_id
        FROM call_legs WHERE call_id IN ('AA0101-33116', 'AA0101-33118', 'AA0101-33119', 'AA0101-33757') ORDER BY 1
        """,
        path=db,
    ).rows
    assert rows == [
        # 990101 q_start 0:00:36 in Jerusalem (UTC+2 in winter) is 22:00:36 UTC the day before.
        ("AA0101-33116", "1998-12-31 22:00:36", "abandoned", 153, None, None, pseudonym("9664491")),
        ("AA0101-33118", "1999-01-01 04:55:26", "answered", 17, 54, "MICHAL", pseudonym("27997683")),
        # Never queued: offered at vru_exit 7:41:26, straight to an agent, no wait, no customer id (0).
        ("AA0101-33119", "1999-01-01 05:41:26", "answered", 0, 208, "BASCH", None),
        # vru_exit 37 s before vru_entry (the voice unit's clock): same day, not the next one.
        ("AA0101-33757", "1999-01-13 13:45:24", "abandoned", 77, None, None, pseudonym("33044546")),
    ]


def test_midnight_crossing_and_bad_records(db, tmp_path):
    lines = [
        HEADER,
        # queued after midnight: entered the voice menu 23:59:40 on 990104, queued 0:00:02 on 990105
        "AA0301\t1\t55\t2\tPS\t990104\t23:59:40\t0:00:02\t22\t0:00:02\t0:01:00\t58\tAGENT\t0:01:00\t0:03:00\t120\tDORIT",
        # straight to an agent after midnight: vru_exit 0:00:10
        "AA0301\t2\t0\t0\tNE\t990104\t23:59:58\t0:00:10\t12\t0:00:00\t0:00:00\t0\tAGENT\t0:00:10\t0:01:10\t60\tTALI",
        "AA0301\t3\t0\t0\tPS\t990104\t10:00:00\t10:00:05\t5\t10:00:05\t10:00:20\t15\tXFER\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0301\t4\t0\t0\tPS\t990104\t10:00:00\t10:00:05\t5\t1O:00:05\t10:00:20\t15\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0301\t5\t0\t0\tPS\t990104\t10:00:00\t10:00:05\t5\t10:00:05\t10:00:20\t-15\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        "AA0301\t6\t0\t0\tPS\t990104\t10:00:00\t10:00:05\t5\t10:00:05",
        "AA0301\t1\t55\t2\tPS\t990104\t23:59:40\t0:00:02\t22\t0:00:02\t0:01:00\t58\tAGENT\t0:01:00\t0:03:00\t120\tDORIT",
    ]
    path = tmp_path / "bank.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    summary = import_file(path, profile="anonymous-bank", db=db)
    assert (summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected) == (7, 2, 1, 0, 4)
    assert store.query(
        "SELECT call_id, strftime(offered_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), wait_s FROM call_legs ORDER BY 1",
        path=db,
    ).rows == [("AA0301-1", "1999-01-04 22:00:02", 58), ("AA0301-2", "1999-01-04 22:00:10", 0)]
    assert store.query("SELECT line_no, reason FROM rejected_rows ORDER BY line_no", path=db).rows == [
        (4, "outcome 'XFER' is not AGENT, HANG or PHANTOM"),
        (5, "q_start '1O:00:05' is not a time H:MM:SS"),
        (6, "q_time '-15' is negative"),
        (7, "line has fewer fields than the header"),
    ]
