"""The `queue-log` profile: Asterisk queue_log events turned into call legs.

Native format, one event per line: `epoch|callid|queue|agent|EVENT|data1|data2|...` (UTC epoch).

Counting unit (so read = imported + duplicates + filtered + rejected holds): one **leg** = all the
lines of one (callid, queue) taken together (a call turned away at the door, JOINEMPTY, FULL, ...,
is a leg of one line: outcome turned_away); every line that belongs to no leg (agent and system
events, broken lines) is a unit of its own. `read` is therefore legs +
such lines, and `imported` is exactly the number of call_legs rows written.

Events of a call are sorted by time (then ENTERQUEUE, CONNECT, the rest) before they are read,
because Asterisk may write them out of order.

DuckDB does the reading: the file is split into numbered lines, each line into fields, and each
leg is one GROUP BY over its events that picks its first ENTERQUEUE, its first CONNECT or
unanswered end and its first answered end in that order (five times faster than parsing each
line in Python, see docs/benchmarks.md). Fields are trimmed and times rounded as Python's strip()
and round() do, so the legs are the ones a line-by-line reading gives
(tests/test_import_queue_log_equivalence.py holds one, written independently).

Asterisk rotates queue_log, so a call waiting or talking at that moment has its lines in two files.
Such a leg (still open at the end of the file, or without its ENTERQUEUE) is counted filtered under
its own rule and its lines are kept in queue_log_pending; the import of the file holding the rest
(before or after, in either order) joins both halves into one leg, counts it imported in that batch
and deletes the kept lines, all in the import's one transaction. A leg open in this file that is a
leg in the store already (a file imported again) is a duplicate and nothing is kept.

Bounded, so one odd call cannot poison every later import: a leg of more than max_call_events
events (data/settings.INPUT_LIMITS) is rejected whole, with that reason, and none of its lines
kept; and an import parses only the kept lines of the calls it has events of, never the others.
"""
from __future__ import annotations

import os

from data import settings, store
from data.errors import UserError
from data.i18n import _
from data.store import Connection
from ingest.profiles import legs
from ingest.profiles.fields import quoted, said
from ingest.profiles.legs import check_references
from ingest.profiles.stage import ProfileSpec, Stage

LEG_START = "ENTERQUEUE"
ANSWER = "CONNECT"
# Event -> (outcome, 1-based data field holding the wait in seconds, end reason). An exit is
# `overflowed` when the same call id enters another queue at or after it, else `abandoned` (EXIT).
EXIT = "exit"
UNANSWERED_END = {
    "ABANDON": ("abandoned", 3, "hung_up"),          # position, original position, waittime
    "EXITWITHTIMEOUT": (EXIT, 3, "timed_out"),       # position, original position, waittime
    "EXITEMPTY": (EXIT, 3, "queue_emptied"),         # position, original position, waittime
    "EXITWITHKEY": (EXIT, 4, "key_pressed"),         # key, position, original position, waittime
}
# Event -> end reason of a turned-away leg: routed to the queue, never let in (one line, no ENTERQUEUE).
TURNED_AWAY = {
    "JOINEMPTY": "turned_away_no_agents",
    "JOINUNAVAIL": "turned_away_no_agents",
    "FULL": "turned_away_full",
    "CLOSED": "turned_away_closed",
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

RULES = {
    "agent-or-system-event": "agent log-in/off, pause and member events, queue start and reload (no call)",
    "unfinished-at-end-of-file": "the leg has no end event (still waiting or talking when the log rotated): "
                                 "its lines are kept until the file with its end is imported",
    "entered-before-this-file": "the leg's ENTERQUEUE is not in this file (it began in an earlier log): "
                                "its lines are kept until the file where it began is imported",
}
OPEN = ("unfinished-at-end-of-file", "entered-before-this-file")
RAW_LINES_SHOWN = 20  # a rejected leg's raw text: its first lines, then how many more


# Python's str.strip() characters: fields are trimmed in SQL exactly as a Python reader would trim them.
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())


def _event_kinds(stage: Stage) -> None:
    """event_kinds: each known event name's role in a leg (or its filter rule) and the data fields it
    holds, built from the tables above so those stay the one place that says what an event means."""
    rows = [(LEG_START, "start", None, 2, None, None, None), (ANSWER, "answer", None, 1, None, None, "answered")]
    rows += [(name, "unanswered", outcome, wait, None, None, reason)
             for name, (outcome, wait, reason) in UNANSWERED_END.items()]
    rows += [(name, "turned-away", "turned_away", None, None, None, reason) for name, reason in TURNED_AWAY.items()]
    rows += [(name, "answered-end", None, talk, target, None, None) for name, (talk, target) in ANSWERED_END.items()]
    rows += [(name, "detail", None, None, None, None, None) for name in sorted(CALL_DETAIL)]
    rows += [(name, None, None, None, None, "agent-or-system-event", None) for name in sorted(AGENT_OR_SYSTEM)]
    columns = ("name", "role", "outcome", "value_field", "target_field", "rule", "end_reason")
    stage.run("CREATE TABLE event_kinds (name VARCHAR, role VARCHAR, outcome VARCHAR, value_field INTEGER, "
              "target_field INTEGER, rule VARCHAR, end_reason VARCHAR)")
    stage.run("INSERT INTO event_kinds SELECT unnest(?::STRUCT(name VARCHAR, role VARCHAR, outcome VARCHAR, "
              "value_field INTEGER, target_field INTEGER, rule VARCHAR, end_reason VARCHAR)[], recursive := true)",
              [[dict(zip(columns, row)) for row in rows]])


# lines: every line of the file with its number, lines ending as Python's universal newlines end
# them (CRLF, LF or a lone CR); line 1 without a byte-order mark. origin '' = this file. One string
# split in one thread; the steps after it read the table in parallel.
READ_LINES = """
CREATE TABLE lines AS
WITH numbered AS (
  SELECT unnest(parts) AS text, generate_subscripts(parts, 1) AS line_no
  FROM (SELECT string_split(CASE WHEN contains(content, chr(13))
                                  THEN replace(replace(content, chr(13) || chr(10), chr(10)), chr(13), chr(10))
                                  ELSE content END, chr(10)) AS parts
        FROM read_text($1))
)
SELECT line_no, CASE WHEN line_no = 1 THEN ltrim(text, chr(65279)) ELSE text END AS raw, '' AS origin FROM numbered
"""

# parsed: each non-blank line (of `{lines}`: this file's, then the kept ones it needs) split on '|', with why it is
# broken (not an event: `{broken}`, `_line_problems`), its role in a leg or the rule that filters it (both NULL: an
# unknown event), and the data field its role reads: the wait or talk time, ENTERQUEUE's caller id, a transfer's target.
PARSE = """
WITH spaced AS (
  SELECT line_no, raw, origin, may_hold_spaces(raw) AS spaced FROM {lines}
), split AS (
  SELECT *, string_split(raw, '|') AS f FROM spaced WHERE CASE WHEN spaced THEN trim(raw, $1) <> '' ELSE raw <> '' END
), fields AS (
  SELECT *, strip(f[1], spaced, $1) AS epoch_text, TRY_CAST(strip(f[1], spaced, $1) AS DOUBLE) AS epoch,
    upper(strip(f[5], spaced, $1)) AS name
  FROM split
)
SELECT x.line_no, x.raw, x.origin, x.epoch, strip(x.f[2], x.spaced, $1) AS callid, strip(x.f[3], x.spaced, $1) AS queue,
  strip(x.f[4], x.spaced, $1) AS agent, x.name, k.role, k.outcome, k.rule, k.end_reason,
  {broken} AS broken,
  CASE WHEN k.value_field IS NOT NULL THEN coalesce(strip(x.f[5 + k.value_field], x.spaced, $1), '') END AS value,
  nullif(strip(x.f[5 + k.target_field], x.spaced, $1), '') AS target
FROM fields x LEFT JOIN event_kinds k ON k.name = x.name
"""

# strip: a field trimmed as Python's strip() trims it, where the line may hold such a character:
# trimming a set of characters is slow in DuckDB, so lines that cannot need it (ASCII and no ASCII
# white space: nearly all) skip it. Whole seconds from a data field as Python's round() gives them
# (half to even), and why a field gives none (`{not_a_number}`, `{negative}`: `_seconds_problems`):
# not a number (NaN and numbers too big for seconds included) or negative. without_caller: a line without ENTERQUEUE's caller id, to tell a kept line
# (stored with the id as its pseudonym, migration 0013) in a file imported again.
SECONDS_MACROS = """
CREATE TEMP MACRO strip(text, spaced, chars) AS CASE WHEN spaced THEN trim(text, chars) ELSE text END;
CREATE TEMP MACRO may_hold_spaces(line) AS strlen(line) <> length(line)
  OR contains(line, ' ') OR contains(line, chr(9)) OR contains(line, chr(10)) OR contains(line, chr(11))
  OR contains(line, chr(12)) OR contains(line, chr(13)) OR contains(line, chr(28)) OR contains(line, chr(29))
  OR contains(line, chr(30)) OR contains(line, chr(31));
CREATE TEMP MACRO without_caller(line) AS CASE WHEN upper(trim(split_part(line, '|', 5))) = 'ENTERQUEUE'
  THEN array_to_string(list_concat(string_split(line, '|')[1:6], string_split(line, '|')[8:]), '|') ELSE line END;
CREATE TEMP MACRO seconds_of(text) AS CAST(round_even(TRY_CAST(text AS DOUBLE), 0) AS BIGINT);
CREATE TEMP MACRO seconds_problem(event, label, text, line_no, origin) AS CASE
  WHEN TRY_CAST(text AS DOUBLE) IS NULL OR isnan(TRY_CAST(text AS DOUBLE)) OR TRY_CAST(text AS DOUBLE) >= 9e18
    THEN {not_a_number}
  WHEN TRY_CAST(text AS DOUBLE) < 0 THEN {negative}
END;
"""

# kept: the kept lines (as events); kept_here: this file's events of legs that have kept lines;
# kept_events: the kept lines of legs with an event in this file, except lines this file repeats
# (a file imported again); leg_events: those and the call events of this file. Each leg's events
# are ordered by time, then ENTERQUEUE, CONNECT, the rest, then the earlier file and the line:
# sort_key packs these four in one HUGEINT, which DuckDB compares faster than a STRUCT. It is
# exact: an epoch between 1990 and 2100 (2^29..2^32 s) is a double whose step is at least 2^-23 s,
# so epoch x 2^23 is a whole number below 2^55; then 2 bits of event order, 20 of file (the
# file's rank among the kept files, '' = this file first, as a string sort puts it) and 32 of
# line. Kept lines are few: every step joins from them, never from the whole file.
LEG_EVENTS = """
CREATE TABLE kept AS SELECT * FROM parsed WHERE origin <> '' AND broken IS NULL AND role IS NOT NULL;
CREATE TABLE kept_here AS
SELECT callid, queue, raw FROM parsed
WHERE origin = '' AND broken IS NULL AND role IS NOT NULL AND callid IN (SELECT callid FROM kept);
CREATE TABLE kept_events AS
SELECT *, dense_rank() OVER (ORDER BY origin) AS origin_rank FROM kept k
WHERE EXISTS (SELECT 1 FROM kept_here e WHERE e.callid = k.callid AND e.queue = k.queue)
  AND NOT EXISTS (SELECT 1 FROM kept_here e WHERE e.callid = k.callid AND e.queue = k.queue AND without_caller(e.raw) = without_caller(k.raw));
CREATE VIEW leg_events AS
SELECT *, ((CAST(epoch * 8388608 AS HUGEINT) * 4 + CASE role WHEN 'start' THEN 0 WHEN 'answer' THEN 1 ELSE 2 END)
           * 1048576 + origin_rank) * 4294967296 + line_no AS sort_key
FROM (SELECT *, 0 AS origin_rank FROM parsed WHERE origin = '' AND broken IS NULL AND role IS NOT NULL
      UNION ALL SELECT * FROM kept_events);
"""

# grouped: one row per leg (callid, queue) with an event in this file: its first line in this
# file, its first ENTERQUEUE or turned-away event (`start`), its first CONNECT, unanswered end or
# turned-away event (`decisive`) and its first answered end (`ending`), in the order of sort_key.
# A turned-away event (JOINEMPTY, ...) is a whole leg on one line: it starts and ends it.
# continued: the exits (EXIT) after which the same call id enters another queue (an ENTERQUEUE or a
# turned-away event at or after the exit, in this file or kept from earlier ones; `_continued_in_store`
# adds those whose next queue is a leg imported already): those overflowed, the other exits abandoned.
GROUP_LEGS = """
CREATE TABLE grouped AS
SELECT callid, queue,
  min(line_no) FILTER (WHERE origin = '') AS line_no,
  arg_min({'epoch': epoch, 'caller': CASE WHEN role = 'start' THEN value END}, sort_key)
    FILTER (WHERE role IN ('start', 'turned-away')) AS start,
  arg_min({'name': name, 'role': role, 'outcome': outcome, 'value': value, 'agent': agent, 'line_no': line_no,
           'origin': origin, 'epoch': epoch, 'end_reason': end_reason}, sort_key)
    FILTER (WHERE role IN ('answer', 'unanswered', 'turned-away')) AS decisive,
  arg_min({'name': name, 'value': value, 'target': target, 'line_no': line_no, 'origin': origin}, sort_key)
    FILTER (WHERE role = 'answered-end') AS ending,
  count(*) AS events
FROM leg_events GROUP BY callid, queue;
CREATE TABLE continued AS
SELECT g.callid, g.queue FROM grouped g
WHERE g.decisive.outcome = 'exit'
  AND EXISTS (SELECT 1 FROM parsed e
              WHERE e.callid = g.callid AND e.queue <> g.queue AND e.broken IS NULL
                AND e.role IN ('start', 'turned-away') AND e.epoch >= g.decisive.epoch);
"""

# rows: the units in line order, as every call-leg profile stages them: lines of their own (broken,
# filtered, unknown events) and legs read from their ordered events, each reason from
# `_leg_problems`. A leg's raw text is added by LEG_TEXT where it is rejected; open legs are settled
# afterwards (stage_queue_log).
ROWS = """
CREATE TABLE rows AS
WITH units AS (
WITH judged AS (
  SELECT g.*,
    g.callid = '' OR g.queue = '' OR upper(g.queue) = 'NONE' AS nameless,
    g.events > $1 AS crowded,
    coalesce(decisive.role = 'unanswered', false) AS unanswered,
    coalesce(decisive.role = 'turned-away', false) AS turned_away,
    coalesce(decisive.role = 'answer' AND ending IS NOT NULL, false) AS answered,
    CASE WHEN decisive.outcome <> 'exit' THEN decisive.outcome
         WHEN c.callid IS NOT NULL THEN 'overflowed' ELSE 'abandoned' END AS unanswered_outcome,
    CASE WHEN decisive.role <> 'turned-away' THEN
      seconds_problem(decisive.name, CASE decisive.role WHEN 'answer' THEN 'holdtime' ELSE 'waittime' END,
                      decisive.value, decisive.line_no, decisive.origin) END AS wait_problem,
    seconds_problem(ending.name, 'calltime', ending.value, ending.line_no, ending.origin) AS talk_problem
  FROM grouped g LEFT JOIN continued c ON c.callid = g.callid AND c.queue = g.queue
)
SELECT line_no, raw, NULL::VARCHAR AS queue, NULL::VARCHAR AS call_id, NULL::DOUBLE AS epoch, NULL::VARCHAR AS outcome,
  NULL::BIGINT AS wait_s, NULL::BIGINT AS talk_s, NULL::VARCHAR AS agent_id, NULL::VARCHAR AS customer_id,
  NULL::VARCHAR AS transferred_to, NULL::VARCHAR AS end_reason,
  coalesce(broken, CASE WHEN rule IS NULL THEN {unknown_event} END) AS reason,
  CASE WHEN broken IS NULL THEN rule END AS rule
FROM parsed WHERE origin = '' AND (broken IS NOT NULL OR role IS NULL)
UNION ALL
SELECT line_no, NULL,
  CASE WHEN NOT nameless THEN queue END,
  CASE WHEN NOT nameless THEN callid END,
  CASE WHEN NOT nameless THEN start.epoch END,
  CASE WHEN nameless OR start IS NULL THEN NULL WHEN unanswered OR turned_away THEN unanswered_outcome
       WHEN answered THEN 'answered' END,
  CASE WHEN nameless OR start IS NULL THEN NULL WHEN turned_away THEN 0
       WHEN (unanswered OR answered) AND wait_problem IS NULL THEN seconds_of(decisive.value) END,
  CASE WHEN NOT nameless AND start IS NOT NULL AND answered AND talk_problem IS NULL THEN seconds_of(ending.value) END,
  CASE WHEN NOT nameless AND start IS NOT NULL AND answered AND upper(decisive.agent) <> 'NONE' THEN decisive.agent END,
  CASE WHEN NOT nameless THEN nullif(start.caller, '') END,
  CASE WHEN NOT nameless AND start IS NOT NULL AND answered THEN ending.target END,
  CASE WHEN NOT nameless AND start IS NOT NULL AND (unanswered OR turned_away OR answered) THEN decisive.end_reason END,
  CASE WHEN nameless THEN {nameless}
       WHEN crowded THEN {crowded}
       WHEN start IS NULL THEN NULL
       WHEN unanswered THEN wait_problem
       WHEN answered THEN coalesce(wait_problem, talk_problem) END,
  CASE WHEN nameless OR crowded THEN NULL
       WHEN start IS NULL THEN 'entered-before-this-file'
       WHEN NOT (unanswered OR turned_away OR answered) THEN 'unfinished-at-end-of-file' END
FROM judged
)
SELECT line_no, raw, queue, call_id, NULL::VARCHAR AS partner, to_timestamp(epoch) AS offered_at, outcome, wait_s,
  talk_s, NULL::BIGINT AS hold_s, NULL::BIGINT AS wrap_s, agent_id, customer_id, NULL::VARCHAR AS journey_id,
  transferred_to, end_reason, reason, rule
FROM units ORDER BY line_no
"""

# The raw text of each rejected leg, the only legs whose text is shown: its lines of this file,
# then the kept ones, the first $1 of them and how many more (`{more}`). Rejected legs are few, so they are found first and only their events read.
LEG_TEXT = """
UPDATE rows SET raw = t.raw FROM (
  WITH rejected AS (
    SELECT g.callid, g.queue, g.line_no FROM grouped g
    WHERE g.line_no IN (SELECT line_no FROM rows WHERE raw IS NULL AND reason IS NOT NULL)
  )
  SELECT r.line_no, array_to_string(list(e.raw ORDER BY e.origin, e.line_no)[1:$1], chr(10))
    || CASE WHEN count(*) > $1 THEN chr(10) || {more} ELSE '' END AS raw
  FROM leg_events e JOIN rejected r ON r.callid = e.callid AND r.queue = e.queue
  WHERE e.callid IN (SELECT callid FROM rejected)
  GROUP BY r.line_no
) t
WHERE rows.line_no = t.line_no
"""

# carry: this file's lines of the legs still open, except lines kept already (a file imported again).
CARRY = """
CREATE TABLE carry AS
SELECT e.queue, e.callid AS call_id, e.line_no, e.raw, ? AS file_name
FROM parsed e JOIN carried c USING (callid, queue)
WHERE e.origin = '' AND e.broken IS NULL AND e.role IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.callid = e.callid AND k.queue = e.queue AND without_caller(k.raw) = without_caller(e.raw))
"""


def _worded(sql: str, **reasons: str) -> str:
    """`sql` with each {name} in it replaced by its reason's SQL expression (`fields.said`)."""
    for name, reason in reasons.items():
        sql = sql.replace("{" + name + "}", reason)
    return sql


def _parse(lines: str) -> str:
    """PARSE over the table `lines`, its reasons in the importing reader's language."""
    return _worded(PARSE, lines=lines, broken=_line_problems())


def _line_problems() -> str:
    """Why a line is no event (PARSE's `broken`; NULL: an event), in the importing reader's language."""
    epoch = quoted("x.epoch_text")
    return ("CASE WHEN len(x.f) < 5 THEN " + said(_("not a queue_log line (expected epoch|callid|queue|agent|EVENT|...)"))
            + " WHEN x.epoch IS NULL THEN " + said(_("epoch {value} is not a number of seconds"), value=epoch)
            + " WHEN NOT x.epoch BETWEEN 631152000 AND 4102444800 THEN "
            + said(_("epoch {value} is not a time between 1990 and 2100"), value=epoch) + " END")


def _seconds_problems() -> dict[str, str]:
    """The reasons of the macro seconds_problem (a data field that gives no seconds) in the importing
    reader's language: the event, the field by queue_log's own name (waittime, holdtime, calltime),
    the value, and the line (of a kept line's file, when it is not this file's)."""
    where = ("CASE WHEN origin <> '' THEN " + said(_("line {line} of {file}"), line="line_no", file="origin")
             + " ELSE " + said(_("line {line}"), line="line_no") + " END")
    given = {"event": "event", "field": "label", "value": quoted("text"), "where": where}
    return {"not_a_number": said(_("{event} {field} {value} is not a number ({where})"), **given),
            "negative": said(_("{event} {field} {value} is negative ({where})"), **given)}


def _leg_problems() -> dict[str, str]:
    """ROWS' reasons (an unknown event, a call without a name, a call of more than $1 events), in the
    importing reader's language; the counts as line numbers are written, in digits."""
    return {
        "unknown_event": said(_("event {value} is not a queue_log event this profile knows"), value=quoted("name")),
        "nameless": said(_("a call event names no call id or no queue")),
        "crowded": said(_("call {call} in queue {queue} has {count} events, more than the {most} one call may have "
                          "(a looping dial plan?): the whole call is rejected"),
                        call="callid", queue="queue", count="events", most="$1"),
    }


def stage_queue_log(stage: Stage) -> None:
    """rows: the file's units, the legs built by DuckDB from the file's lines and the kept ones.

    Only the legs a file cannot finish (a few, at its rotation edges) come back to Python: to ask
    the store whether they are legs already, to keep their lines and to name them in the notes.
    """
    _event_kinds(stage)
    stage.run(_worded(SECONDS_MACROS, **_seconds_problems()))
    stage.progress(0.05, _("reading"))
    stage.run(READ_LINES, [str(stage.source.csv_path)], share=(0.05, 0.2), label=_("reading"))
    stage.progress(0.2, _("reading events"))
    stage.run("CREATE TABLE parsed AS " + _parse("lines"), [WHITESPACE], share=(0.2, 0.35), label=_("reading events"))
    _refuse_if_nothing_parsed(stage)
    pending = _add_kept(stage)
    stage.progress(0.35, _("building legs"))
    stage.run(LEG_EVENTS)
    stage.run(GROUP_LEGS, share=(0.35, 0.5), label=_("building legs"))
    _continued_in_store(stage)
    most = settings.input_limit("max_call_events")
    stage.run(_worded(ROWS, **_leg_problems()), [most], share=(0.5, 0.6), label=_("building legs"))
    stage.run(_worded(LEG_TEXT, more=said(_("… {count} more line(s)"), count="(count(*) - $1)")), [RAW_LINES_SHOWN])
    held_lines = _open_legs(stage, pending)
    stage.progress(0.6, _("checking legs"))
    check_references(stage, partner_from_file=False)
    stage.run("INSERT INTO dups SELECT rowid FROM rows WHERE line_no IN (SELECT unnest(?::BIGINT[]))", [held_lines])


def _open_legs(stage: Stage, pending: set[tuple[str, str]]) -> list[int]:
    """Settle the legs this file cannot finish alone; returns the lines of those already held (duplicates).

    A held leg becomes a valid unit (counted a duplicate); the others are carried: their lines are
    kept (stg.carry) and the notes name them, with the kept legs this file completes (stg.resolved).
    """
    still_open = {(callid, queue): (rule, line_no) for callid, queue, rule, line_no in stage.run(
        "SELECT call_id, queue, rule, line_no FROM rows WHERE rule IN (SELECT unnest(?::VARCHAR[]))", [list(OPEN)]
    ).rows}
    held = _held(stage.db, list(still_open))
    held_lines = [still_open[key][1] for key in held]
    stage.run("UPDATE rows SET rule = NULL WHERE line_no IN (SELECT unnest(?::BIGINT[]))", [held_lines])
    carried = {key: still_open[key][0] for key in still_open.keys() - held}
    kept_in_file = _kept_in_file(stage)
    _keep(stage, kept_in_file, carried)
    _notes(stage, pending, kept_in_file, held, carried)
    return held_lines


def _continued_in_store(stage: Stage) -> None:
    """Add to `continued` the exits whose call entered another queue in a leg the store holds already
    (the later file imported first), so the order of the files does not change an outcome."""
    exits = stage.run(
        "SELECT list(callid) FROM grouped g WHERE g.decisive.outcome = 'exit' "
        "AND NOT EXISTS (SELECT 1 FROM continued c WHERE c.callid = g.callid AND c.queue = g.queue)"
    ).scalar()
    if not exits or not store.db_path(stage.db).exists():
        return
    with store.reading(stage.db) as con:
        if not store.has_table(con, "call_legs"):
            return
        held = store.execute(
            con, "SELECT list(c.call_id), list(q.name), list(epoch(c.offered_at)) FROM call_legs c "
                 "JOIN queues q USING (queue_id) WHERE c.call_id IN (SELECT unnest(?::VARCHAR[]))", [exits]).one()
    stage.run(
        """
        INSERT INTO continued
        SELECT DISTINCT g.callid, g.queue FROM grouped g
        JOIN (SELECT unnest(?::VARCHAR[]) AS callid, unnest(?::VARCHAR[]) AS queue, unnest(?::DOUBLE[]) AS epoch) h
          ON h.callid = g.callid AND h.queue <> g.queue AND h.epoch >= g.decisive.epoch
        WHERE g.decisive.outcome = 'exit'
        """, [values or [] for values in held])


def _add_kept(stage: Stage) -> set[tuple[str, str]]:
    """Parse the lines earlier imports kept for the calls this file has events of (only those: a
    call of a million kept lines costs nothing to a file that does not continue it); returns every
    waiting leg's (call id, queue), for the notes."""
    db = stage.db
    if not store.db_path(db).exists():
        return set()
    with store.reading(db) as con:
        if not store.has_table(con, "queue_log_pending"):
            return set()
        pending = set(store.execute(con, "SELECT DISTINCT call_id, queue FROM queue_log_pending").rows)
    wanted = stage.run(
        "SELECT list(DISTINCT callid) FROM parsed WHERE broken IS NULL AND role IS NOT NULL "
        "AND callid IN (SELECT unnest(?::VARCHAR[]))", [sorted({callid for callid, _ in pending})]).scalar()
    if not wanted:
        return pending
    with store.reading(db) as con:
        kept = store.execute(con, "SELECT list(line_no), list(raw), list(file_name) FROM queue_log_pending "
                                  "WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [wanted]).one()
    stage.run("CREATE TABLE kept_lines AS SELECT unnest(?::BIGINT[]) AS line_no, unnest(?::VARCHAR[]) AS raw, "
              "unnest(?::VARCHAR[]) AS origin", [values or [] for values in kept])
    stage.run("INSERT INTO parsed " + _parse("kept_lines"), [WHITESPACE])
    return pending


def _refuse_if_nothing_parsed(stage: Stage) -> None:
    parsed, lines = stage.run(
        "SELECT count(*) FILTER (WHERE broken IS NULL), count(*) FROM parsed WHERE origin = ''"
    ).one()
    if parsed == 0 and lines:
        raise UserError(_("{file}: no line looks like a queue_log event (epoch|callid|queue|agent|EVENT|...)").format(
            file=stage.file))


def _kept_in_file(stage: Stage) -> set[tuple[str, str]]:
    """The kept legs' (callid, queue) with an event in this file."""
    return set(stage.run("SELECT DISTINCT callid, queue FROM kept k WHERE EXISTS "
                         "(SELECT 1 FROM kept_here e WHERE e.callid = k.callid AND e.queue = k.queue)").rows)


def _held(db: str | os.PathLike | None, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (callid, queue) among `keys` that are legs in the store already: their file was imported before."""
    if not keys or not store.db_path(db).exists():
        return set()
    with store.reading(db) as con:
        found = store.execute(
            con, "SELECT c.call_id, q.name FROM call_legs c JOIN queues q USING (queue_id) "
            "WHERE c.call_id IN (SELECT unnest(?::VARCHAR[]))",
            [[callid for callid, _ in keys]],
        ).rows
    return set(found) & set(keys)


def _keep(stage: Stage, kept_in_file: set, carried: dict) -> None:
    """stg.resolved: kept legs this file finishes (or finds imported); stg.carry: new lines of legs still open."""
    resolved = kept_in_file - carried.keys()
    stage.run("CREATE TABLE resolved AS SELECT unnest(?::VARCHAR[]) AS queue, unnest(?::VARCHAR[]) AS call_id",
              [[queue for _, queue in resolved], [callid for callid, _ in resolved]])
    stage.run("CREATE TABLE carried AS SELECT unnest(?::VARCHAR[]) AS callid, unnest(?::VARCHAR[]) AS queue",
              [[callid for callid, _ in carried], [queue for _, queue in carried]])
    stage.run(CARRY, [str(stage.path.resolve())])


def _notes(stage: Stage, pending: set, kept_in_file: set, held: set, carried: dict[tuple[str, str], str]) -> None:
    """What happened to the legs this file could not finish alone, and how many wait in all."""
    for rule, text in zip(OPEN, (_("{count} leg(s) unfinished at the end of the file, carried to the next file ({calls})"),
                                 _("{count} leg(s) entered the queue before this file began, kept until that file is "
                                   "imported ({calls})"))):
        _note(stage, [callid for (callid, _), its_rule in carried.items() if its_rule == rule], text)
    _note(stage, [callid for callid, _ in kept_in_file - carried.keys() - held],
          _("{count} leg(s) completed from earlier files ({calls})"))
    _note(stage, [callid for callid, _ in held], _("{count} leg(s) open in this file are already imported (duplicates) "
                                                     "({calls})"))
    waiting = len(pending - kept_in_file) + len(carried)
    if waiting:
        stage.notes.append(_("{count} leg(s) in all wait for their other file (table queue_log_pending)").format(
            count=waiting))


def _note(stage: Stage, callids: list[str], text: str) -> None:
    """A note `text` ({count} and {calls}) naming the first call ids."""
    if callids:
        shown = ", ".join(sorted(callids)[:10]) + (", ..." if len(callids) > 10 else "")
        stage.notes.append(text.format(count=len(callids), calls=shown))


# In the import's transaction, after the legs: the kept lines of legs this file finished go, the
# new lines of legs still open come in, their caller ids as pseudonyms (migration 0013).
FORGET_RESOLVED = """
DELETE FROM queue_log_pending p
WHERE EXISTS (SELECT 1 FROM stg.resolved r WHERE r.queue = p.queue AND r.call_id = p.call_id)
"""
KEEP_OPEN = ("INSERT INTO queue_log_pending SELECT queue, call_id, line_no, pseudonymous_queue_log_line(raw), file_name, ? "
             "FROM stg.carry")


def publish(con: Connection, tz: str, batch_id: int) -> int:
    """The legs as every call-leg profile publishes them, then the kept lines brought up to date."""
    imported = legs.publish(con, tz, batch_id)
    store.execute(con, FORGET_RESOLVED)
    store.execute(con, KEEP_OPEN, [batch_id])
    return imported


SPECS = (
    ProfileSpec("queue-log", "call_legs", "Asterisk queue_log events (epoch|callid|queue|agent|EVENT|data...).",
                stage_queue_log, publish, delimiter="|", header=False),
)
