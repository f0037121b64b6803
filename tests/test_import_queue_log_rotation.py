"""queue_log legs that span two rotated files: imported once, whole, in either order, nothing lost.

One hand-written log (shapes from /work/shared/data/asterisk_queue_log_samples.txt) is cut at
midnight UTC (epoch 1341446400), as Asterisk's daily rotation would cut it, while c2 is talking and
c3 and c4 are waiting. Every expected value below is worked out by hand from these lines.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from data import store
from ingest.importing import import_file
from tests.conftest import ROOT, pseudonym
from tests.conftest import kept_line as kept

BEFORE_MIDNIGHT = [
    "1341446000|c1|q1|NONE|ENTERQUEUE||2001|1",
    "1341446010|c1|q1|Agent/3001|CONNECT|10|c1.1|2",
    "1341446100|c1|q1|Agent/3001|COMPLETECALLER|10|90|1",
    "1341446300|c2|q1|NONE|ENTERQUEUE||2002|1",
    "1341446330|c2|q1|Agent/3002|CONNECT|30|c2.1|3",
    "1341446350|c3|q1|NONE|ENTERQUEUE||2003|1",
    "1341446380|c4|q2|NONE|ENTERQUEUE||2004|1",
    "1341446390|NONE|q1|Agent/3003|PAUSE||||",
]
AFTER_MIDNIGHT = [
    "1341446410|c3|q1|NONE|ABANDON|1|1|60",
    "1341446420|c4|q2|NONE|EXITWITHTIMEOUT|1|1|40",
    "1341446425|c4|q1|Agent/3001|CONNECT|5|c4.1|2",  # written before its ENTERQUEUE: sorted by time
    "1341446420|c4|q1|NONE|ENTERQUEUE||2004|1",
    "1341446500|c2|q1|Agent/3002|COMPLETEAGENT|30|170|1",
    "1341446600|c5|q1|NONE|ENTERQUEUE||2005|1",
    "1341446610|c5|q1|NONE|ABANDON|1|1|10",
    "1341446700|c4|q1|Agent/3001|COMPLETECALLER|5|275|1",
    "1341446800|c6|q1|NONE|ENTERQUEUE||2006|1",
]
# (queue, call_id, offered_at epoch, outcome, wait_s, talk_s, agent_id, customer_id): the whole log's legs.
LEGS = [
    ("q1", "c1", 1341446000, "answered", 10, 90, "Agent/3001", pseudonym("2001")),
    ("q1", "c2", 1341446300, "answered", 30, 170, "Agent/3002", pseudonym("2002")),
    ("q1", "c3", 1341446350, "abandoned", 60, None, None, pseudonym("2003")),
    ("q1", "c4", 1341446420, "answered", 5, 275, "Agent/3001", pseudonym("2004")),
    ("q1", "c5", 1341446600, "abandoned", 10, None, None, pseudonym("2005")),
    ("q2", "c4", 1341446380, "overflowed", 40, None, None, pseudonym("2004")),
]


WAITING_NOTE = "leg(s) in all wait for their other file (table queue_log_pending)"
C6_KEPT = [("c6", "q1", 9, kept(AFTER_MIDNIGHT[8]))]  # the call still waiting at the end of the log


@pytest.fixture
def logs(tmp_path):
    """(whole log, part before midnight, part after midnight) as files."""
    paths = []
    for name, lines in (("queue_log", BEFORE_MIDNIGHT + AFTER_MIDNIGHT), ("queue_log.1", BEFORE_MIDNIGHT),
                        ("queue_log.2", AFTER_MIDNIGHT)):
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def counts(summary) -> tuple:
    return summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected


def told(summary) -> tuple:
    """What a batch tells: its counts, its filter rules, its notes."""
    return counts(summary), summary.filtered_by, summary.notes


def legs(db) -> list[tuple]:
    return store.query(
        "SELECT q.name, call_id, epoch(offered_at)::BIGINT, outcome, wait_s, talk_s, agent_id, customer_id "
        "FROM call_legs JOIN queues q USING (queue_id) ORDER BY q.name, call_id",
        path=db,
    ).rows


def pending(db) -> list[tuple]:
    return store.query("SELECT call_id, queue, line_no, raw FROM queue_log_pending ORDER BY call_id, queue, line_no",
                       path=db).rows


def test_the_whole_log_at_once(db, logs):
    whole, _, _ = logs
    summary = import_file(whole, profile="queue-log", db=db)
    # units: 7 legs (c1, c2, c3, c4@q2, c4@q1, c5, c6) + the PAUSE line
    assert counts(summary) == (8, 6, 0, 2, 0)
    assert summary.filtered_by == {"agent-or-system-event": 1, "unfinished-at-end-of-file": 1}
    assert legs(db) == LEGS
    assert pending(db) == [("c6", "q1", 17, kept("1341446800|c6|q1|NONE|ENTERQUEUE||2006|1"))]


def test_a_leg_split_by_rotation_is_joined_by_the_next_file(db, logs):
    _, first, second = logs
    one = import_file(first, profile="queue-log", db=db)
    # units: c1, c2, c3, c4@q2 + PAUSE; only c1 ends before midnight
    assert told(one) == ((5, 1, 0, 4, 0), {"agent-or-system-event": 1, "unfinished-at-end-of-file": 3},
                         "3 leg(s) unfinished at the end of the file, carried to the next file (c2, c3, c4); "
                         f"3 {WAITING_NOTE}; created queue 'q1' (in-house)")
    assert pending(db) == [
        ("c2", "q1", 4, kept(BEFORE_MIDNIGHT[3])), ("c2", "q1", 5, kept(BEFORE_MIDNIGHT[4])),
        ("c3", "q1", 6, kept(BEFORE_MIDNIGHT[5])), ("c4", "q2", 7, kept(BEFORE_MIDNIGHT[6])),
    ]
    two = import_file(second, profile="queue-log", db=db)
    # units: c3, c4@q2, c4@q1, c2, c5, c6: the three halves completed and c4@q1, c5 whole here; c6 open
    assert told(two) == ((6, 5, 0, 1, 0), {"unfinished-at-end-of-file": 1},
                         "1 leg(s) unfinished at the end of the file, carried to the next file (c6); "
                         f"3 leg(s) completed from earlier files (c2, c3, c4); 1 {WAITING_NOTE}; "
                         "created queue 'q2' (in-house)")
    assert legs(db) == LEGS
    assert pending(db) == C6_KEPT
    batches = store.query("SELECT batch_id, count(*) FROM call_legs GROUP BY ALL ORDER BY 1", path=db).rows
    assert batches == [(one.batch_id, 1), (two.batch_id, 5)]


def test_files_in_the_wrong_order_give_the_same_legs(db, logs):
    _, first, second = logs
    two = import_file(second, profile="queue-log", db=db)
    # c3, c4@q2 and c2 lack their ENTERQUEUE: kept until the earlier file comes
    assert told(two) == ((6, 2, 0, 4, 0), {"entered-before-this-file": 3, "unfinished-at-end-of-file": 1},
                         "1 leg(s) unfinished at the end of the file, carried to the next file (c6); "
                         "3 leg(s) entered the queue before this file began, kept until that file is imported "
                         f"(c2, c3, c4); 4 {WAITING_NOTE}; created queue 'q1' (in-house)")
    one = import_file(first, profile="queue-log", db=db)
    assert told(one) == ((5, 4, 0, 1, 0), {"agent-or-system-event": 1},
                         f"3 leg(s) completed from earlier files (c2, c3, c4); 1 {WAITING_NOTE}; "
                         "created queue 'q2' (in-house)")
    assert legs(db) == LEGS
    assert pending(db) == C6_KEPT


def test_a_part_imported_twice_adds_nothing(db, logs):
    _, first, second = logs
    import_file(first, profile="queue-log", db=db)
    kept = pending(db)
    again = import_file(first, profile="queue-log", db=db)
    assert counts(again) == (5, 0, 1, 4, 0)  # c1 a duplicate; c2, c3, c4 still open, nothing new to keep
    assert pending(db) == kept
    import_file(second, profile="queue-log", db=db)
    first_again = import_file(first, profile="queue-log", db=db)
    # c1 and the three legs completed by the second file are legs already: duplicates, nothing kept
    assert counts(first_again) == (5, 0, 4, 1, 0)
    assert "3 leg(s) open in this file are already imported (duplicates) (c2, c3, c4)" in first_again.notes
    second_again = import_file(second, profile="queue-log", db=db)
    assert counts(second_again) == (6, 0, 5, 1, 0)  # c6 still open, still kept once
    assert legs(db) == LEGS
    assert pending(db) == C6_KEPT


def test_the_whole_log_after_its_first_part_completes_the_kept_legs(db, logs):
    whole, first, _ = logs
    import_file(first, profile="queue-log", db=db)
    summary = import_file(whole, profile="queue-log", db=db)
    assert counts(summary) == (8, 5, 1, 2, 0)  # c1 a duplicate, the rest imported; c6 open, PAUSE
    assert legs(db) == LEGS
    assert pending(db) == [("c6", "q1", 17, kept("1341446800|c6|q1|NONE|ENTERQUEUE||2006|1"))]


def test_a_leg_over_three_files_keeps_each_files_lines_until_its_end(db, tmp_path):
    files = []
    for number, line in enumerate(["1341446000|c7|q1|NONE|ENTERQUEUE||2007|1",
                                   "1341532800|c7|q1|Agent/3001|CONNECT|abc|c7.1|2",
                                   "1341619200|c7|q1|Agent/3001|COMPLETEAGENT|9|300|1"]):
        files.append(tmp_path / f"queue_log.{number}")
        files[-1].write_text(line + "\n", encoding="utf-8")
    import_file(files[0], profile="queue-log", db=db)
    middle = import_file(files[1], profile="queue-log", db=db)
    assert counts(middle) == (1, 0, 0, 1, 0)
    assert [row[2] for row in pending(db)] == [1, 1]
    last = import_file(files[2], profile="queue-log", db=db)
    # the joined leg has a CONNECT holdtime that is not a number: rejected, with all three lines kept there
    assert counts(last) == (1, 0, 0, 0, 1)
    assert store.query("SELECT line_no, raw, reason FROM rejected_rows", path=db).rows == [(
        1, "1341619200|c7|q1|Agent/3001|COMPLETEAGENT|9|300|1\n" + kept("1341446000|c7|q1|NONE|ENTERQUEUE||2007|1") + "\n"
        "1341532800|c7|q1|Agent/3001|CONNECT|abc|c7.1|2",
        f"CONNECT holdtime 'abc' is not a number (line 1 of {files[1].resolve()})",
    )]
    assert pending(db) == []


def test_the_cli_says_how_many_legs_wait(db, logs):
    _, first, _ = logs
    done = subprocess.run(
        [sys.executable, "-m", "cli", "import", str(first), "--profile", "queue-log", "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert f"3 {WAITING_NOTE}" in done.stdout


CHILD = """
import json, sys
from ingest.importing import import_file
summary = import_file(sys.argv[1], profile="queue-log", db=sys.argv[2], progress=lambda f, m: print(m, flush=True))
print(json.dumps(summary.as_dict()), flush=True)
"""


def test_killed_while_joining_holds_the_kept_lines_or_the_joined_legs(db, logs):
    _, first, second = logs
    import_file(first, profile="queue-log", db=db)
    kept = pending(db)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(second), str(db)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in child.stdout:
        if line.strip() == "refreshing interval rollups":  # legs and kept lines written, not committed
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    child.stdout.close()
    child.stderr.close()
    assert (legs(db), pending(db)) in [([LEGS[0]], kept), (LEGS, C6_KEPT)]
    again = import_file(second, profile="queue-log", db=db)
    assert legs(db) == LEGS
    assert json.dumps(again.filtered_by) == '{"unfinished-at-end-of-file": 1}'
