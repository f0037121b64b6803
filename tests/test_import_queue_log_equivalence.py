"""The queue-log import (DuckDB SQL) against a plain-Python reading of the same lines written here.

The log: the benchmark's generator (answered, abandoned, timeouts, exits, transfers, agent and
door events, CONNECTs written before their ENTERQUEUE, broken lines and legs with broken times,
calls in progress at the end) plus hand-written lines for every other event kind and the edges of
reading (padding with Unicode spaces, fractional times rounded half to even, a lone CR, blank
lines, a leg naming no call id). `read_like_python` below follows docs/import-layouts.md line by
line and shares no code with ingest/profiles/queue_log.py.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

from bench.queue_log import write_queue_log
from data import store
from ingest.importing import import_file
from tests.conftest import kept_line, pseudonym

EXTRA = [
    "1733000000|x1|kundservice|NONE|DID|0701|",
    "1733000000|x1|kundservice|NONE|ENTERQUEUE||0701|1",
    "1733000001|x1|kundservice|NONE|INFO|x",
    "1733000002|x1|kundservice|NONE|SYSCOMPAT|",
    "1733000003|x1|kundservice|Agent/1|RINGCANCELED|900",
    "1733000004|x1|kundservice|NONE|ENTERQUEUE_TIMEOUT|",
    "1733000005|x1|kundservice|Agent/1|CONNECT| 2.5 |ch|1",
    "1733000006|x1|kundservice|Agent/1|ATTENDEDTRANSFERBEGIN|",
    "1733000090|x1|kundservice|Agent/1|ATTENDEDTRANSFER|BRIDGE|Support|2|84.5|1",
    "\u00a01733000100 |\tx2\u3000| support |  agent/2 | enterqueue ||0702|1",
    "1733000103.5|x2|support|agent/2|connect|3.5|ch|1",
    "1733000150|x2|support|agent/2|completeagent|3|46.5000001|1",
    "1733000200|x3|support|NONE|ENTERQUEUE||0703|1",
    "1733000200|x3|support|Agent/3|CONNECT|0|ch|1",
    "1733000260|x3|support|Agent/3|TRANSFER|200|default|0|-1|1",
    "1733000300|x4|support|NONE|ENTERQUEUE||0704|1",
    "1733000299|x4|support|NONE|EXITWITHKEY|5|1|1|1",
    "1733000300|x5|support|NONE|ENTERQUEUE||0705|1",
    "1733000310|x5|support|NONE|EXITEMPTY|1|1|nan",
    "1733000400||support|NONE|ENTERQUEUE||0706|1",
    "1733000400|x7|NONE|NONE|ENTERQUEUE||0707|1",
    "1733000500|NONE|support|Agent/4|PAUSEALL|",
    "1733000500|NONE|support|Agent/4|AGENTDUMP|",
    "1733000500|x8|support|NONE|JOINUNAVAIL|||",
    "100|x9|support|NONE|ENTERQUEUE||0709|1",
    "",
    " \u2003 ",
    "1733000600|x10|support|NONE|ENTERQUEUE||0710|1\r1733000660|x10|support|NONE|ABANDON|1|1|60",
    "1733000700|x11|support|Agent/5|COMPLETECALLER|1|50|1",
]


@dataclass
class Reading:
    """What the docs say one import of a file gives: units, legs, rejects."""

    filtered_by: Counter = field(default_factory=Counter)
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    legs: list[tuple] = field(default_factory=list)
    open_lines: list[tuple[str, str, int, str]] = field(default_factory=list)
    units: int = 0


AGENT_EVENTS = {"AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF", "ADDMEMBER", "REMOVEMEMBER",
                "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "PAUSECUSTOM", "QUEUESTART", "CONFIGRELOAD", "PENALTY",
                "AGENTDUMP", "AGENTLOGINTIMEOUT"}
TURNED_AWAY = {"JOINEMPTY": "turned_away_no_agents", "JOINUNAVAIL": "turned_away_no_agents",
               "FULL": "turned_away_full", "CLOSED": "turned_away_closed"}
# 0-based data index of the wait, end reason; an exit (not ABANDON) overflowed when the call enters
# another queue at or after it, else it was abandoned
EXITS = {"ABANDON": (2, "hung_up"), "EXITWITHTIMEOUT": (2, "timed_out"), "EXITEMPTY": (2, "queue_emptied"),
         "EXITWITHKEY": (3, "key_pressed")}
ENDS = {"COMPLETECALLER": (1, None), "COMPLETEAGENT": (1, None), "TRANSFER": (3, 0), "BLINDTRANSFER": (3, 0),
        "ATTENDEDTRANSFER": (3, 1)}                   # 0-based data index of the talk time, of the target
OTHER_CALL_EVENTS = {"ENTERQUEUE", "CONNECT", "RINGNOANSWER", "RINGCANCELED", "SYSCOMPAT", "DID", "INFO",
                     "ENTERQUEUE_TIMEOUT", "ATTENDEDTRANSFERBEGIN"}


def read_like_python(text: str) -> Reading:
    reading = Reading()
    calls: dict[tuple[str, str], list] = defaultdict(list)
    entered: dict[str, list[tuple[str, float]]] = defaultdict(list)  # callid -> (queue, time) it entered
    parsed_any = False
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        if number == 1:
            raw = raw.lstrip("\ufeff")
        if raw.strip() == "":
            continue
        parts = [part.strip() for part in raw.split("|")]
        problem = None
        if len(parts) < 5:
            problem = "not a queue_log line (expected epoch|callid|queue|agent|EVENT|...)"
        else:
            try:
                epoch = float(parts[0])
                if not 631152000 <= epoch <= 4102444800:
                    problem = f"epoch '{parts[0]}' is not a time between 1990 and 2100"
            except ValueError:
                problem = f"epoch '{parts[0]}' is not a number of seconds"
        if problem:
            reading.units += 1
            reading.rejects.append((number, raw, problem))
            continue
        parsed_any = True
        event = parts[4].upper()
        if event in AGENT_EVENTS:
            reading.units += 1
            reading.filtered_by["agent-or-system-event"] += 1
        elif event in OTHER_CALL_EVENTS or event in EXITS or event in ENDS or event in TURNED_AWAY:
            if event == "ENTERQUEUE" or event in TURNED_AWAY:
                entered[parts[1]].append((parts[2], epoch))
            data = raw.split("|")[5:]
            calls[(parts[1], parts[2])].append((epoch, {"ENTERQUEUE": 0, "CONNECT": 1}.get(event, 2), number, event,
                                                parts[3], [d.strip() for d in data], raw))
        else:
            reading.units += 1
            reading.rejects.append((number, raw, f"event '{event}' is not a queue_log event this profile knows"))
    assert parsed_any
    for (callid, queue), events in calls.items():
        reading.units += 1
        _leg(reading, callid, queue, sorted(events), entered[callid])
    reading.rejects.sort()
    return reading


def _whole_seconds(event: tuple, index: int, label: str) -> tuple[int | None, str | None]:
    text = event[5][index] if index < len(event[5]) else ""
    where = f"line {event[2]}"
    try:
        value = float(text)
    except ValueError:
        return None, f"{event[3]} {label} '{text}' is not a number ({where})"
    if value != value:
        return None, f"{event[3]} {label} '{text}' is not a number ({where})"
    if value < 0:
        return None, f"{event[3]} {label} '{text}' is negative ({where})"
    return round(value), None


def _leg(reading: Reading, callid: str, queue: str, events: list[tuple], entered: list[tuple[str, float]]) -> None:
    first = min(e[2] for e in events)
    raw = "\n".join(e[6] for e in sorted(events, key=lambda e: e[2]))
    if callid == "" or queue == "" or queue.upper() == "NONE":
        reading.rejects.append((first, raw, "a call event names no call id or no queue"))
        return
    starts = [e for e in events if e[3] == "ENTERQUEUE" or e[3] in TURNED_AWAY]
    decided = [e for e in events if e[3] in EXITS or e[3] == "CONNECT" or e[3] in TURNED_AWAY]
    ended = [e for e in events if e[3] in ENDS]
    if not starts or not decided or (decided[0][3] == "CONNECT" and not ended):
        rule = "entered-before-this-file" if not starts else "unfinished-at-end-of-file"
        reading.filtered_by[rule] += 1
        reading.open_lines += [(queue, callid, e[2], e[6]) for e in events]
        return
    start, decisive = starts[0], decided[0]
    customer = (start[5][1] if len(start[5]) > 1 and start[3] == "ENTERQUEUE" else "") or None
    if decisive[3] in TURNED_AWAY:
        problem = None
        leg = (queue, callid, start[0], "turned_away", 0, None, None, customer, None, TURNED_AWAY[decisive[3]])
    elif decisive[3] in EXITS:
        index, reason = EXITS[decisive[3]]
        went_on = any(other != queue and when >= decisive[0] for other, when in entered)
        outcome = "abandoned" if decisive[3] == "ABANDON" or not went_on else "overflowed"
        wait, problem = _whole_seconds(decisive, index, "waittime")
        leg = (queue, callid, start[0], outcome, wait, None, None, customer, None, reason)
    else:
        talk_index, target_index = ENDS[ended[0][3]]
        wait, wait_problem = _whole_seconds(decisive, 0, "holdtime")
        talk, talk_problem = _whole_seconds(ended[0], talk_index, "calltime")
        problem = wait_problem or talk_problem
        target = None
        if target_index is not None and target_index < len(ended[0][5]):
            target = ended[0][5][target_index] or None
        agent = None if decisive[4].upper() == "NONE" else decisive[4]
        leg = (queue, callid, start[0], "answered", wait, talk, agent, customer, target, "answered")
    if problem:
        reading.rejects.append((first, raw, problem))
    else:
        reading.legs.append(leg)


def stored_legs(db) -> list[tuple]:
    return sorted(store.query(
        "SELECT q.name, call_id, epoch(offered_at), outcome, wait_s, talk_s, agent_id, customer_id, transferred_to, "
        "end_reason FROM call_legs JOIN queues q USING (queue_id)", path=db).rows)


def as_stored(legs: list[tuple]) -> list[tuple]:
    """The plain reading's legs with their customer id as the store keeps it (its pseudonym), sorted."""
    return sorted((*leg[:7], pseudonym(leg[7]), *leg[8:]) for leg in legs)


@pytest.fixture(scope="module")
def log_text(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("qlog") / "generated.log"
    write_queue_log(path, 1200, seed=11, broken_every=300)
    return path.read_text(encoding="utf-8") + "\n".join(EXTRA) + "\n"


def test_one_file_gives_the_legs_rejects_and_counts_a_plain_reading_gives(db, tmp_path, log_text):
    path = tmp_path / "queue_log"
    path.write_text(log_text, encoding="utf-8", newline="")
    expected = read_like_python(log_text)
    assert len(expected.rejects) > 10 and expected.filtered_by["unfinished-at-end-of-file"] > 0  # the mix is there
    summary = import_file(path, profile="queue-log", db=db)
    assert (summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected) == (
        expected.units, len(expected.legs), 0, sum(expected.filtered_by.values()), len(expected.rejects))
    assert summary.filtered_by == dict(expected.filtered_by)
    assert stored_legs(db) == as_stored(expected.legs)
    assert store.query("SELECT line_no, raw, reason FROM rejected_rows ORDER BY line_no", path=db).rows == expected.rejects
    kept = store.query("SELECT queue, call_id, line_no, raw FROM queue_log_pending ORDER BY ALL", path=db).rows
    assert kept == sorted((*line[:3], kept_line(line[3])) for line in expected.open_lines)


@pytest.mark.parametrize("order", ["in order", "later file first"])
def test_the_log_cut_in_two_gives_the_same_legs_as_read_whole(db, tmp_path, log_text, order):
    lines = log_text.split("\n")
    cut = len(lines) // 2
    halves = [tmp_path / "queue_log.1", tmp_path / "queue_log.2"]
    halves[0].write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8", newline="")
    halves[1].write_text("\n".join(lines[cut:]), encoding="utf-8", newline="")
    whole = read_like_python(log_text)
    first, second = [import_file(half, profile="queue-log", db=db) for half in (halves if order == "in order" else halves[::-1])]
    assert first.imported + second.imported == len(whole.legs)
    assert first.rejected + second.rejected == len(whole.rejects)
    for summary in (first, second):
        assert summary.read == summary.imported + summary.duplicates + summary.filtered + summary.rejected
    assert stored_legs(db) == as_stored(whole.legs)
    waiting = store.query("SELECT count(DISTINCT (queue, call_id)) FROM queue_log_pending", path=db).rows[0][0]
    open_legs = whole.filtered_by["unfinished-at-end-of-file"] + whole.filtered_by["entered-before-this-file"]
    assert waiting == open_legs
