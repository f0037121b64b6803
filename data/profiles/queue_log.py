"""The `queue-log` profile: Asterisk queue_log events turned into call legs.

Native format, one event per line: `epoch|callid|queue|agent|EVENT|data1|data2|...` (UTC epoch).

Counting unit (so read = imported + duplicates + filtered + rejected holds): one **leg** = all the
lines of one (callid, queue) taken together; every line that belongs to no leg (agent and system
events, calls refused at the door, broken lines) is a unit of its own. `read` is therefore legs +
such lines, and `imported` is exactly the number of call_legs rows written.

Events of a call are sorted by time (then ENTERQUEUE, CONNECT, the rest) before they are read,
because Asterisk may write them out of order.

Asterisk rotates queue_log, so a call waiting or talking at that moment has its lines in two files.
Such a leg (still open at the end of the file, or without its ENTERQUEUE) is counted filtered under
its own rule and its lines are kept in queue_log_pending; the import of the file holding the rest
(before or after, in either order) joins both halves into one leg, counts it imported in that batch
and deletes the kept lines, all in the import's one transaction. A leg open in this file that is a
leg in the store already (a file imported again) is a duplicate and nothing is kept.
"""
from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from data import store
from data.errors import UserError
from data.profiles import legs
from data.profiles.legs import check_references
from data.profiles.stage import ProfileSpec, Stage

LEG_START = "ENTERQUEUE"
ANSWER = "CONNECT"
# Event -> (outcome, 1-based data field holding the wait in seconds)
UNANSWERED_END = {
    "ABANDON": ("abandoned", 3),          # position, original position, waittime
    "EXITWITHTIMEOUT": ("overflowed", 3),  # position, original position, waittime
    "EXITEMPTY": ("overflowed", 3),        # position, original position, waittime
    "EXITWITHKEY": ("overflowed", 4),      # key, position, original position, waittime
}
# Event -> (1-based field of the talk time, 1-based field of the transfer target or None)
ANSWERED_END = {
    "COMPLETECALLER": (2, None),   # holdtime, calltime, position
    "COMPLETEAGENT": (2, None),    # holdtime, calltime, position
    "TRANSFER": (4, 1),            # extension, context, holdtime, calltime, position
    "BLINDTRANSFER": (4, 1),       # extension, context, holdtime, calltime, position
    "ATTENDEDTRANSFER": (4, 2),    # method, target, holdtime, calltime, position
}
CALL_DETAIL = {"RINGNOANSWER", "RINGCANCELED", "SYSCOMPAT", "DID", "INFO", "ENTERQUEUE_TIMEOUT", "ATTENDEDTRANSFERBEGIN"}
AGENT_OR_SYSTEM = {
    "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF", "ADDMEMBER", "REMOVEMEMBER",
    "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "PAUSECUSTOM", "QUEUESTART", "CONFIGRELOAD", "PENALTY",
    "AGENTDUMP", "AGENTLOGINTIMEOUT",
}
NOT_ENTERED = {"JOINEMPTY", "FULL", "CLOSED", "JOINUNAVAIL"}
CALL_EVENTS = {LEG_START, ANSWER, *UNANSWERED_END, *ANSWERED_END, *CALL_DETAIL}
ORDER = {LEG_START: 0, ANSWER: 1}

RULES = {
    "agent-or-system-event": "agent log-in/off, pause and member events, queue start and reload (no call)",
    "did-not-enter-queue": "JOINEMPTY, FULL, CLOSED, JOINUNAVAIL: the caller was turned away before queueing",
    "unfinished-at-end-of-file": "the leg has no end event (still waiting or talking when the log rotated): "
                                 "its lines are kept until the file with its end is imported",
    "entered-before-this-file": "the leg's ENTERQUEUE is not in this file (it began in an earlier log): "
                                "its lines are kept until the file where it began is imported",
}
OPEN = ("unfinished-at-end-of-file", "entered-before-this-file")


@dataclass(frozen=True)
class Event:
    line_no: int
    raw: str
    epoch: float
    callid: str
    queue: str
    agent: str
    name: str
    data: tuple[str, ...]
    origin: str = ""  # the file an earlier import kept this line from; "" = the file being imported

    def field(self, number: int) -> str:
        return self.data[number - 1].strip() if len(self.data) >= number else ""

    @property
    def where(self) -> str:
        return f"line {self.line_no}" + (f" of {self.origin}" if self.origin else "")


COLUMNS = ("line_no", "raw", "queue", "call_id", "epoch", "outcome", "wait_s", "talk_s", "agent_id",
           "customer_id", "transferred_to", "reason", "rule")


class Units:
    """The rows of the staging table, one per unit, built column by column."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}

    def add(self, line_no: int, raw: str, **values: object) -> None:
        for name in COLUMNS:
            self.columns[name].append({"line_no": line_no, "raw": raw, **values}.get(name))

    def table(self):
        """A pyarrow table DuckDB reads without a copy (pyarrow imported here: only this profile needs it)."""
        import pyarrow as pa

        types = {"line_no": pa.int64(), "epoch": pa.float64(), "wait_s": pa.int64(), "talk_s": pa.int64()}
        return pa.table({name: pa.array(values, type=types.get(name, pa.string())) for name, values in self.columns.items()})


def stage_queue_log(stage: Stage) -> None:
    units = Units()
    calls = _read(stage, units)
    kept = _kept(stage.db)
    still_open = {}
    for key, events in calls.items():
        unit = _leg(*key, _joined(events, kept.get(key, [])))
        if unit.get("rule") in OPEN:
            still_open[key] = unit
        else:
            units.add(**unit)
    held = _held(stage.db, list(still_open))
    for key, unit in still_open.items():
        units.add(**({**unit, "rule": None} if key in held else unit))  # held: a valid row, put in dups below
    carried = {key: still_open[key]["rule"] for key in still_open.keys() - held}
    _keep(stage, kept, calls, carried)
    _notes(stage, kept, calls, held, carried)
    stage.con.register("units", units.table())
    stage.con.execute(
        """
        CREATE TABLE rows AS SELECT line_no, raw, queue, call_id, NULL::VARCHAR AS partner,
            to_timestamp(epoch) AS offered_at, outcome, wait_s, talk_s, NULL::BIGINT AS hold_s, NULL::BIGINT AS wrap_s,
            agent_id, customer_id, NULL::VARCHAR AS journey_id, transferred_to, reason, rule
        FROM units ORDER BY line_no
        """
    )
    stage.progress(0.6, "checking legs")
    check_references(stage, partner_from_file=False)
    stage.con.execute("INSERT INTO dups SELECT rowid FROM rows WHERE line_no IN (SELECT unnest(?::BIGINT[]))",
                      [[still_open[key]["line_no"] for key in held]])


def _read(stage: Stage, units: Units) -> dict[tuple[str, str], list[Event]]:
    """The call events by (callid, queue); every other line becomes a unit of its own."""
    calls: dict[tuple[str, str], list[Event]] = defaultdict(list)
    parsed_lines = 0
    with stage.source.csv_path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        for line_no, line in enumerate(handle, 1):
            raw = line.rstrip("\r\n").lstrip("\ufeff") if line_no == 1 else line.rstrip("\r\n")
            if not raw.strip():
                continue
            event = _parse(line_no, raw)
            if isinstance(event, str):
                units.add(line_no, raw, reason=event)
                continue
            parsed_lines += 1
            if event.name in AGENT_OR_SYSTEM:
                units.add(line_no, raw, rule="agent-or-system-event")
            elif event.name in NOT_ENTERED:
                units.add(line_no, raw, rule="did-not-enter-queue")
            elif event.name in CALL_EVENTS:
                calls[(event.callid, event.queue)].append(event)
            else:
                units.add(line_no, raw, reason=f"event '{event.name}' is not a queue_log event this profile knows")
    if parsed_lines == 0 and units.columns["line_no"]:
        raise UserError(f"{stage.file}: no line looks like a queue_log event (epoch|callid|queue|agent|EVENT|...)")
    return calls


def _kept(db: str | os.PathLike | None) -> dict[tuple[str, str], list[Event]]:
    """The lines earlier imports kept for legs their file could not finish, by (callid, queue)."""
    if not store.db_path(db).exists():
        return {}
    with store.reading(db) as con:
        if not store.has_table(con, "queue_log_pending"):
            return {}
        rows = con.execute("SELECT line_no, raw, file_name FROM queue_log_pending").fetchall()
    kept: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for line_no, raw, file_name in rows:
        event = dataclasses.replace(_parse(line_no, raw), origin=file_name)
        kept[(event.callid, event.queue)].append(event)
    return kept


def _joined(events: list[Event], kept: list[Event]) -> list[Event]:
    """This file's events of a leg and the kept ones it does not repeat (a file imported twice), in time order."""
    lines = {e.raw for e in events}
    joined = events + [e for e in kept if e.raw not in lines]
    return sorted(joined, key=lambda e: (e.epoch, ORDER.get(e.name, 2), e.origin, e.line_no))


def _held(db: str | os.PathLike | None, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (callid, queue) among `keys` that are legs in the store already: their file was imported before."""
    if not keys or not store.db_path(db).exists():
        return set()
    with store.reading(db) as con:
        found = con.execute(
            "SELECT c.call_id, q.name FROM call_legs c JOIN queues q USING (queue_id) "
            "WHERE c.call_id IN (SELECT unnest(?::VARCHAR[]))",
            [[callid for callid, _ in keys]],
        ).fetchall()
    return set(found) & set(keys)


def _keep(stage: Stage, kept: dict, calls: dict, carried: dict) -> None:
    """stg.resolved: kept legs this file finishes (or finds imported); stg.carry: new lines of legs still open."""
    file_name = str(stage.path.resolve())
    resolved = [(queue, callid) for callid, queue in kept.keys() & calls.keys() - carried.keys()]
    carry = []
    for callid, queue in carried:
        known = {e.raw for e in kept.get((callid, queue), [])}
        carry += [(queue, callid, e.line_no, e.raw, file_name) for e in calls[(callid, queue)] if e.raw not in known]
    stage.con.execute("CREATE TABLE resolved (queue VARCHAR, call_id VARCHAR)")
    stage.con.execute(
        "CREATE TABLE carry (queue VARCHAR, call_id VARCHAR, line_no BIGINT, raw VARCHAR, file_name VARCHAR)"
    )
    if resolved:
        stage.con.executemany("INSERT INTO resolved VALUES (?, ?)", resolved)
    if carry:
        stage.con.executemany("INSERT INTO carry VALUES (?, ?, ?, ?, ?)", carry)


def _notes(stage: Stage, kept: dict, calls: dict, held: set, carried: dict[tuple[str, str], str]) -> None:
    """What happened to the legs this file could not finish alone, and how many wait in all."""
    for rule, text in zip(OPEN, ("leg(s) unfinished at the end of the file, carried to the next file",
                                 "leg(s) entered the queue before this file began, kept until that file is imported")):
        _note(stage, [callid for (callid, _), its_rule in carried.items() if its_rule == rule], text)
    _note(stage, [callid for callid, _ in kept.keys() & calls.keys() - carried.keys() - held],
          "leg(s) completed from earlier files")
    _note(stage, [callid for callid, _ in held], "leg(s) open in this file are already imported (duplicates)")
    waiting = len(kept.keys() - calls.keys()) + len(carried)
    if waiting:
        stage.notes.append(f"{waiting} leg(s) in all wait for their other file (table queue_log_pending)")


def _note(stage: Stage, callids: list[str], text: str) -> None:
    if callids:
        shown = ", ".join(sorted(callids)[:10]) + (", ..." if len(callids) > 10 else "")
        stage.notes.append(f"{len(callids)} {text} ({shown})")


def _parse(line_no: int, raw: str) -> Event | str:
    """One line as an Event, or the reason it is rejected."""
    fields = raw.split("|")
    if len(fields) < 5:
        return "not a queue_log line (expected epoch|callid|queue|agent|EVENT|...)"
    try:
        epoch = float(fields[0].strip())
    except ValueError:
        return f"epoch '{fields[0].strip()}' is not a number of seconds"
    if not 631152000 <= epoch <= 4102444800:  # 1990-01-01 .. 2100-01-01
        return f"epoch '{fields[0].strip()}' is not a time between 1990 and 2100"
    name = fields[4].strip().upper()
    return Event(line_no, raw, epoch, fields[1].strip(), fields[2].strip(), fields[3].strip(), name, tuple(fields[5:]))


def _seconds(event: Event, number: int, label: str) -> tuple[int | None, str | None]:
    """(whole seconds, None) or (None, reason) for data field `number` of the event."""
    text = event.field(number)
    try:
        value = float(text)
    except ValueError:
        return None, f"{event.name} {label} '{text}' is not a number ({event.where})"
    if value < 0:
        return None, f"{event.name} {label} '{text}' is negative ({event.where})"
    return round(value), None


def _leg(callid: str, queue: str, events: list[Event]) -> dict:
    """The leg's unit (Units.add arguments): its first line in this file, all its lines, its values.

    `events` are in time order and hold at least one line of this file; lines kept from other
    files come last in the raw text.
    """
    unit = {"line_no": min(e.line_no for e in events if not e.origin),
            "raw": "\n".join(e.raw for e in sorted(events, key=lambda e: (e.origin, e.line_no)))}
    start = next((e for e in events if e.name == LEG_START), None)
    if not callid or not queue or queue.upper() == "NONE":
        return {**unit, "reason": "a call event names no call id or no queue"}
    if start is None:
        return {**unit, "queue": queue, "call_id": callid, "rule": "entered-before-this-file"}
    unit.update(queue=queue, call_id=callid, epoch=start.epoch, customer_id=start.field(2) or None)
    for event in events:
        if event.name in UNANSWERED_END:
            outcome, number = UNANSWERED_END[event.name]
            wait, problem = _seconds(event, number, "waittime")
            return {**unit, "outcome": outcome, "wait_s": wait, "reason": problem}
        if event.name == ANSWER:
            return {**unit, **_answered(event, events)}
    return {**unit, "rule": "unfinished-at-end-of-file"}


def _answered(connect: Event, events: list[Event]) -> dict:
    end = next((e for e in events if e.name in ANSWERED_END), None)
    if end is None:
        return {"rule": "unfinished-at-end-of-file"}
    talk_field, target_field = ANSWERED_END[end.name]
    wait, problem = _seconds(connect, 1, "holdtime")
    talk, talk_problem = _seconds(end, talk_field, "calltime")
    target = end.field(target_field) or None if target_field else None
    agent = connect.agent if connect.agent.upper() != "NONE" else None
    return {"outcome": "answered", "wait_s": wait, "talk_s": talk, "agent_id": agent, "transferred_to": target,
            "reason": problem or talk_problem}


# In the import's transaction, after the legs: the kept lines of legs this file finished go, the
# new lines of legs still open come in.
FORGET_RESOLVED = """
DELETE FROM queue_log_pending p
WHERE EXISTS (SELECT 1 FROM stg.resolved r WHERE r.queue = p.queue AND r.call_id = p.call_id)
"""
KEEP_OPEN = "INSERT INTO queue_log_pending SELECT queue, call_id, line_no, raw, file_name, ? FROM stg.carry"


def publish(con: duckdb.DuckDBPyConnection, tz: str, batch_id: int) -> int:
    """The legs as every call-leg profile publishes them, then the kept lines brought up to date."""
    imported = legs.publish(con, tz, batch_id)
    con.execute(FORGET_RESOLVED)
    con.execute(KEEP_OPEN, [batch_id])
    return imported


SPECS = (
    ProfileSpec("queue-log", "call_legs", "Asterisk queue_log events (epoch|callid|queue|agent|EVENT|data...).",
                stage_queue_log, publish, delimiter="|", header=False),
)
