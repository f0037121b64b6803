"""The `queue-log` profile: Asterisk queue_log events turned into call legs.

Native format, one event per line: `epoch|callid|queue|agent|EVENT|data1|data2|...` (UTC epoch).

Counting unit (so read = imported + duplicates + filtered + rejected holds): one **leg** = all the
lines of one (callid, queue) taken together; every line that belongs to no leg (agent and system
events, calls refused at the door, broken lines) is a unit of its own. `read` is therefore legs +
such lines, and `imported` is exactly the number of call_legs rows written.

Events of a call are sorted by time (then ENTERQUEUE, CONNECT, the rest) before they are read,
because Asterisk may write them out of order. Legs still open at the end of the file, and legs
whose ENTERQUEUE is in an earlier file, are counted under their own rules and named in the notes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

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
    "unfinished-at-end-of-file": "the leg has no end event (answered and still talking, or still waiting)",
    "entered-before-this-file": "the leg's ENTERQUEUE is not in this file (it began in an earlier log)",
}


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

    def field(self, number: int) -> str:
        return self.data[number - 1].strip() if len(self.data) >= number else ""


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
    calls: dict[tuple[str, str], list[Event]] = defaultdict(list)
    parsed_lines = 0
    with stage.source.csv_path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        for line_no, line in enumerate(handle, 1):
            raw = line.rstrip("\r\n").lstrip("\ufeff") if line_no == 1 else line.rstrip("\r\n")
            if not raw.strip():
                continue
            event = _parse(line_no, raw, units)
            if event is None:
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
    unfinished, before = [], []
    for (callid, queue), events in calls.items():
        events.sort(key=lambda e: (e.epoch, ORDER.get(e.name, 2), e.line_no))
        rule = _leg(callid, queue, events, units)
        if rule == "unfinished-at-end-of-file":
            unfinished.append(callid)
        elif rule == "entered-before-this-file":
            before.append(callid)
    _note(stage, unfinished, "leg(s) unfinished at the end of the file")
    _note(stage, before, "leg(s) entered the queue before this file began")
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


def _note(stage: Stage, callids: list[str], text: str) -> None:
    if callids:
        shown = ", ".join(sorted(callids)[:10]) + (", ..." if len(callids) > 10 else "")
        stage.notes.append(f"{len(callids)} {text} ({shown})")


def _parse(line_no: int, raw: str, units: Units) -> Event | None:
    """One line as an Event, or None after recording it as a rejected unit."""
    fields = raw.split("|")
    if len(fields) < 5:
        units.add(line_no, raw, reason="not a queue_log line (expected epoch|callid|queue|agent|EVENT|...)")
        return None
    try:
        epoch = float(fields[0].strip())
    except ValueError:
        units.add(line_no, raw, reason=f"epoch '{fields[0].strip()}' is not a number of seconds")
        return None
    if not 631152000 <= epoch <= 4102444800:  # 1990-01-01 .. 2100-01-01
        units.add(line_no, raw, reason=f"epoch '{fields[0].strip()}' is not a time between 1990 and 2100")
        return None
    name = fields[4].strip().upper()
    return Event(line_no, raw, epoch, fields[1].strip(), fields[2].strip(), fields[3].strip(), name, tuple(fields[5:]))


def _seconds(event: Event, number: int, label: str) -> tuple[int | None, str | None]:
    """(whole seconds, None) or (None, reason) for data field `number` of the event."""
    text = event.field(number)
    try:
        value = float(text)
    except ValueError:
        return None, f"{event.name} {label} '{text}' is not a number (line {event.line_no})"
    if value < 0:
        return None, f"{event.name} {label} '{text}' is negative (line {event.line_no})"
    return round(value), None


def _leg(callid: str, queue: str, events: list[Event], units: Units) -> str | None:
    """Add one unit for the leg; returns its filter rule, if any."""
    raw = "\n".join(e.raw for e in sorted(events, key=lambda e: e.line_no))
    first_line = min(e.line_no for e in events)
    start = next((e for e in events if e.name == LEG_START), None)
    if not callid or not queue or queue.upper() == "NONE":
        units.add(first_line, raw, reason="a call event names no call id or no queue")
        return None
    if start is None:
        units.add(first_line, raw, rule="entered-before-this-file")
        return "entered-before-this-file"
    base = {"queue": queue, "call_id": callid, "epoch": start.epoch, "customer_id": start.field(2) or None}
    for event in events:
        if event.name in UNANSWERED_END:
            outcome, number = UNANSWERED_END[event.name]
            wait, problem = _seconds(event, number, "waittime")
            units.add(first_line, raw, outcome=outcome, wait_s=wait, reason=problem, **base)
            return None
        if event.name == ANSWER:
            return _answered(event, events, first_line, raw, base, units)
    units.add(first_line, raw, rule="unfinished-at-end-of-file", **base)
    return "unfinished-at-end-of-file"


def _answered(connect: Event, events: list[Event], first_line: int, raw: str, base: dict, units: Units) -> str | None:
    end = next((e for e in events if e.name in ANSWERED_END), None)
    if end is None:
        units.add(first_line, raw, rule="unfinished-at-end-of-file", **base)
        return "unfinished-at-end-of-file"
    talk_field, target_field = ANSWERED_END[end.name]
    wait, problem = _seconds(connect, 1, "holdtime")
    talk, talk_problem = _seconds(end, talk_field, "calltime")
    target = end.field(target_field) or None if target_field else None
    agent = connect.agent if connect.agent.upper() != "NONE" else None
    units.add(first_line, raw, outcome="answered", wait_s=wait, talk_s=talk, agent_id=agent, transferred_to=target,
              reason=problem or talk_problem, **base)
    return None


SPECS = (
    ProfileSpec("queue-log", "call_legs", "Asterisk queue_log events (epoch|callid|queue|agent|EVENT|data...).",
                stage_queue_log, legs.publish, delimiter="|", header=False),
)
