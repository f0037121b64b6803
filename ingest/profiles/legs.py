"""Call-leg profiles (generic, anonymous-bank) and the one way every call-leg import is published.

All call-leg profiles end in the same staged `rows` table (the canonical leg columns), so the
checks against the registry, the duplicate rules and the publishing SQL exist once, here.
"""
from __future__ import annotations

import hashlib

from data import store
from data.i18n import _
from data.store import Connection
from ingest.profiles import near
from ingest.profiles.fields import Field, Layout, literal, quoted, said
from ingest.profiles.stage import ProfileSpec, Stage, relation, stage_layout, structural

OUTCOMES = ("answered", "abandoned", "overflowed", "turned_away")
# Why a leg ended, and the outcomes each reason fits (docs/import-layouts.md).
END_REASONS = {
    "answered": ("answered",),
    "hung_up": ("abandoned",),
    "timed_out": ("abandoned", "overflowed"),
    "queue_emptied": ("abandoned", "overflowed"),
    "key_pressed": ("abandoned", "overflowed"),
    "turned_away_full": ("turned_away",),
    "turned_away_closed": ("turned_away",),
    "turned_away_no_agents": ("turned_away",),
}

GENERIC = Layout((
    Field("call_id", help="the call's id; (queue, call_id) identifies a leg"),
    Field("queue", help="queue name; a new name creates the queue, owned by this row's partner"),
    Field("partner", required=False, help="partner name; empty = in-house queue"),
    Field("offered_at", "timestamp", help="ISO 8601; without an offset it is read in --tz"),
    Field("outcome", "choice", choices=OUTCOMES),
    Field("wait_s", "seconds", help="seconds in queue until answer, abandon or overflow"),
    Field("talk_s", "seconds", required=False),
    Field("hold_s", "seconds", required=False),
    Field("wrap_s", "seconds", required=False),
    Field("agent_id", required=False),
    Field("customer_id", required=False),
    Field("journey_id", required=False, help="id shared by the legs of one customer call"),
    Field("transferred_to", required=False, help="queue name or 'in-house' when transferred after answer"),
    Field("end_reason", "choice", required=False, choices=tuple(END_REASONS),
          help="why the leg ended; empty: 'answered' for an answered leg, else not known"),
))

LEG_COLUMNS = ("call_id", "offered_at", "outcome", "wait_s", "talk_s", "hold_s", "wrap_s",
               "agent_id", "customer_id", "journey_id", "transferred_to", "end_reason")

# A given end_reason must fit the leg's outcome (a turned-away reason on an answered leg is a mistake).
_FITS = " OR ".join(f"(end_reason = '{reason}' AND outcome IN ({', '.join(repr(o) for o in outcomes)}))"
                    for reason, outcomes in END_REASONS.items())


def reason_fits_outcome() -> str:
    """The CASE branch rejecting an end_reason that does not fit the outcome, in the reader's language."""
    return (f"WHEN end_reason IS NOT NULL AND outcome IS NOT NULL AND NOT ({_FITS}) THEN "
            + said(_("end_reason {value} does not fit outcome {outcome}"), value=quoted("end_reason"),
                   outcome=quoted("outcome")))


def stage_generic(stage: Stage) -> None:
    """The canonical layout; an answered leg without an end_reason ended answered, the others' is not known."""
    stage_layout(stage, GENERIC, extra_checks=(reason_fits_outcome(),))
    stage.run("UPDATE rows SET end_reason = 'answered' WHERE end_reason IS NULL AND outcome = 'answered'")
    check_references(stage, partner_from_file=True)


# --- anonymous-bank --------------------------------------------------------------------------

BANK = Layout(tuple(Field(name) for name in (
    "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
    "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server",
)))

BANK_FILTERS = {
    "phantom": "PHANTOM records: virtual calls the switch logged, not customers",
    "hung-up-in-voice-menu": "HANG records with q_start 0:00:00: the caller left in the voice menu, never queued",
}

# Times H:MM:SS as seconds after midnight, NULL when not a time of day.
_SECONDS = "(CASE WHEN regexp_matches(trim({c}), '^\\d{{1,2}}:\\d\\d:\\d\\d$') THEN " \
           "TRY_CAST(split_part(trim({c}), ':', 1) AS INTEGER) * 3600 + TRY_CAST(split_part(trim({c}), ':', 2) AS INTEGER) * 60 " \
           "+ TRY_CAST(split_part(trim({c}), ':', 3) AS INTEGER) END)"


def _secs(column: str) -> str:
    return _SECONDS.format(c=f'"{column}"')


def bank_reasons() -> str:
    """The anonymous-bank layout's CASE branches (WHEN ... THEN reason), in the importing reader's language."""
    empty, value = _("{column} is empty"), "{column} {value} is not a number"
    time = _("{column} {value} is not a time H:MM:SS")
    branches = (
        ("""nullif(trim("vru+line"), '') IS NULL""", said(empty, column=literal("vru+line"))),
        ("nullif(trim(call_id), '') IS NULL", said(empty, column=literal("call_id"))),
        ("o IS NULL", said(empty, column=literal("outcome"))),
        ("o NOT IN ('AGENT', 'HANG', 'PHANTOM')",
         said(_("{column} {value} is not {allowed}"), column=literal("outcome"), value=quoted("trim(outcome)"),
              allowed=literal(_("{choices} or {last}").format(choices="AGENT, HANG", last="PHANTOM")))),
        ("o = 'PHANTOM' OR (o = 'HANG' AND never_queued)", "NULL"),
        ("nullif(trim(type), '') IS NULL", said(_("type is empty (it names the queue)"))),
        ("""day IS NULL OR length(trim("date")) <> 6""",
         said(_("{column} {value} is not a YYMMDD date"), column=literal("date"), value=quoted("""coalesce(trim("date"), '')"""))),
        ("entry_s IS NULL", said(time, column=literal("vru_entry"), value=quoted("coalesce(trim(vru_entry), '')"))),
        ("never_queued AND exit_s IS NULL",
         said(time, column=literal("vru_exit"), value=quoted("coalesce(trim(vru_exit), '')"))),
        ("NOT never_queued AND q_s IS NULL",
         said(time, column=literal("q_start"), value=quoted("coalesce(trim(q_start), '')"))),
        ("NOT never_queued AND q_n IS NULL",
         said(_(value), column=literal("q_time"), value=quoted("coalesce(trim(q_time), '')"))),
        ("NOT never_queued AND q_n < 0",
         said(_("{column} {value} is negative"), column=literal("q_time"), value=quoted("trim(q_time)"))),
        ("o = 'AGENT' AND ser_n IS NULL",
         said(_(value), column=literal("ser_time"), value=quoted("coalesce(trim(ser_time), '')"))),
        ("o = 'AGENT' AND ser_n < 0",
         said(_("{column} {value} is negative"), column=literal("ser_time"), value=quoted("trim(ser_time)"))),
    )
    return "\n      ".join(f"WHEN {test} THEN {reason}" for test, reason in branches)


BANK_SQL = f"""
CREATE TABLE rows AS
WITH src AS (
  SELECT *,
    upper(trim(outcome)) AS o,
    trim("q_start") = '0:00:00' AS never_queued,
    TRY_STRPTIME('19' || trim("date"), '%Y%m%d') AS day,
    {_secs("vru_entry")} AS entry_s,
    {_secs("vru_exit")} AS exit_s,
    {_secs("q_start")} AS q_s,
    TRY_CAST(trim(q_time) AS INTEGER) AS q_n,
    TRY_CAST(trim(ser_time) AS INTEGER) AS ser_n
  FROM {{relation}}
), checked AS (
  SELECT *,
    CASE
      {{bank_reasons}}
    END AS reason,
    CASE
      WHEN o = 'PHANTOM' THEN 'phantom'
      WHEN o = 'HANG' AND never_queued THEN 'hung-up-in-voice-menu'
    END AS rule,
    CASE WHEN never_queued THEN exit_s ELSE q_s END AS offered_s
  FROM src
)
SELECT
  trim(type) AS queue,
  trim("vru+line") || '-' || trim(call_id) AS call_id,
  NULL::VARCHAR AS partner,
  CASE WHEN reason IS NULL AND rule IS NULL THEN timezone(?, day
    + to_seconds(offered_s)
    + CASE WHEN entry_s - offered_s > 43200 THEN INTERVAL 1 DAY ELSE INTERVAL 0 DAY END) END AS offered_at,
  CASE o WHEN 'AGENT' THEN 'answered' WHEN 'HANG' THEN 'abandoned' END AS outcome,
  CASE WHEN never_queued THEN 0 ELSE q_n END AS wait_s,
  CASE WHEN o = 'AGENT' THEN ser_n END AS talk_s,
  NULL::BIGINT AS hold_s,
  NULL::BIGINT AS wrap_s,
  nullif(nullif(trim(server), ''), 'NO_SERVER') AS agent_id,
  nullif(nullif(trim(customer_id), ''), '0') AS customer_id,
  NULL::VARCHAR AS journey_id,
  NULL::VARCHAR AS transferred_to,
  CASE o WHEN 'AGENT' THEN 'answered' WHEN 'HANG' THEN 'hung_up' END AS end_reason,
  reason,
  CASE WHEN reason IS NULL THEN rule END AS rule
FROM checked
"""


def stage_bank(stage: Stage) -> None:
    """The Technion Anonymous Bank layout (tab separated), mapped as its README says.

    A queue time earlier than the voice-menu entry by more than 12 hours crossed midnight (next
    day); earlier by less is the voice unit's clock running ahead (33 January records show a
    negative vru_time), so the day stays. Negative durations in columns not used are ignored.
    """
    BANK.check_header(stage.file, stage.source.columns)
    from_sql, params = relation(stage, BANK.names())
    stage.run(BANK_SQL.replace("{relation}", from_sql).replace("{bank_reasons}", bank_reasons()), [*params, stage.tz], share=(0.05, 0.6), label=_("reading"))
    structural(stage)
    check_references(stage, partner_from_file=False)


# --- shared by every call-leg profile ------------------------------------------------------------


def snapshot(stage: Stage, partners: list[tuple], queues: list[tuple]) -> None:
    """Copy the registry as the staging step sees it; publish checks it has not changed since."""
    stage.run("CREATE TABLE snap_partners (partner_id INTEGER, name VARCHAR)")
    stage.run("CREATE TABLE snap_queues (queue_id INTEGER, name VARCHAR, partner_id INTEGER)")
    if partners:
        stage.run_many("INSERT INTO snap_partners VALUES (?, ?)", partners)
    if queues:
        stage.run_many("INSERT INTO snap_queues VALUES (?, ?, ?)", queues)


def registry(con: Connection) -> tuple[list[tuple], list[tuple], tuple]:
    """(partners, queues, waiting): the store state staging reads, which publishing checks is unchanged.

    partners and queues as the snapshot stores them; waiting = (count, hash) of the queue_log lines
    kept for unfinished legs (queue-log staging joins them to the file's lines).
    """
    partners = store.execute(con, "SELECT partner_id, name FROM partners ORDER BY partner_id").rows
    queues = store.execute(con, "SELECT queue_id, name, partner_id FROM queues ORDER BY queue_id").rows
    waiting = (0, None)
    if store.has_table(con, "queue_log_pending"):
        waiting = store.execute(
            con, "SELECT count(*), bit_xor(hash(queue, call_id, line_no, raw, file_name)) FROM queue_log_pending"
        ).one()
    return partners, queues, waiting


def fingerprint(partners: list[tuple], queues: list[tuple], waiting: tuple) -> str:
    return hashlib.sha256(repr((partners, queues, waiting)).encode()).hexdigest()


# The registry checks judge the file's few distinct (queue, partner) pairs (with each pair's first
# record), not every row. A queue new to the registry is created with the partner of its first row
# that names a known partner (or none); each pair is judged against its queue's owner, and only the
# rows of pairs found wrong are listed.
REFERENCES_FROM_FILE = """
CREATE TABLE pairs AS
SELECT queue, partner, min(rowid) AS first_rec FROM rows WHERE reason IS NULL AND rule IS NULL GROUP BY queue, partner;
CREATE TABLE new_queues AS
SELECT queue, arg_min(partner, first_rec) AS partner FROM pairs
WHERE queue NOT IN (SELECT name FROM snap_queues)
  AND (partner IS NULL OR partner IN (SELECT name FROM snap_partners))
GROUP BY queue;
CREATE TABLE bad_pairs AS
WITH owner AS (
  SELECT q.name AS queue, p.name AS partner FROM snap_queues q LEFT JOIN snap_partners p USING (partner_id)
  UNION ALL SELECT queue, partner FROM new_queues
), judged AS (
  SELECT x.queue, x.partner, CASE
    WHEN x.partner IS NOT NULL AND x.partner NOT IN (SELECT name FROM snap_partners)
      THEN {unknown_partner}
    WHEN x.partner IS DISTINCT FROM o.partner
      THEN {wrong_owner}
  END AS reason
  FROM pairs x LEFT JOIN owner o USING (queue)
)
SELECT * FROM judged WHERE reason IS NOT NULL;
CREATE TABLE ref_rejects AS
SELECT r.rowid AS rec, b.reason FROM rows r
JOIN bad_pairs b ON r.queue = b.queue AND r.partner IS NOT DISTINCT FROM b.partner
WHERE r.reason IS NULL AND r.rule IS NULL;
"""


def _references_from_file() -> str:
    """REFERENCES_FROM_FILE with its reasons in the importing reader's language."""
    named = {"queue": quoted("x.queue"), "owner": "o.partner", "named": "x.partner"}
    wrong_owner = ("CASE WHEN o.partner IS NULL THEN "
                   + said(_("queue {queue} belongs to the centre (in-house), not partner {named}"), **named)
                   + " WHEN x.partner IS NULL THEN "
                   + said(_("queue {queue} belongs to partner {owner}, not in-house (the partner column is empty)"),
                          **named)
                   + " ELSE " + said(_("queue {queue} belongs to partner {owner}, not partner {named}"), **named)
                   + " END")
    return (REFERENCES_FROM_FILE.replace("{unknown_partner}", near.unknown_sql("partner", "x.partner", "snap_partners"))
            .replace("{wrong_owner}", wrong_owner))

REFERENCES_FROM_REGISTRY = """
CREATE TABLE ref_rejects (rec BIGINT, reason VARCHAR);
CREATE TABLE new_queues AS
SELECT DISTINCT queue, NULL::VARCHAR AS partner FROM rows
WHERE reason IS NULL AND rule IS NULL AND queue NOT IN (SELECT name FROM snap_queues);
"""

# Later repeats of a (queue, call_id) the same file already had: counted as duplicates.
# Grouping one 64-bit hash of the key is much cheaper than grouping the two strings. The first step
# finds the hashes that repeat among the checked rows (a superset: it still counts rows a reference
# check rejected); only when there are any are those rows ranked by their exact key.
REPEATED_KEYS = """
CREATE TABLE repeated_keys AS
SELECT hash(queue, call_id) AS key_hash FROM rows
WHERE reason IS NULL AND rule IS NULL AND queue IS NOT NULL AND call_id IS NOT NULL
GROUP BY key_hash HAVING count(*) > 1
"""

DUPLICATES = """
CREATE TABLE dups AS
SELECT rowid AS rec FROM rows
WHERE reason IS NULL AND rule IS NULL AND queue IS NOT NULL AND call_id IS NOT NULL
  AND hash(queue, call_id) IN (SELECT key_hash FROM repeated_keys)
  AND rowid NOT IN (SELECT rec FROM ref_rejects)
QUALIFY row_number() OVER (PARTITION BY queue, call_id ORDER BY rowid) > 1
"""


def check_references(stage: Stage, *, partner_from_file: bool) -> None:
    """ref_rejects, new_queues and dups for the staged legs, against the registry snapshot.

    Each queue the import will create is named in the notes (result line, batch, audit log): a
    mistyped queue name would otherwise split a partner's traffic without a word. A new queue close
    to an existing one is refused before anything is written (near.NearQueues), unless the import
    was told to create new queues (stage.new_queues: --new-queues, or the upload's "create it").

    partner_from_file: the file names each leg's partner (generic), so it must match the queue's
    owner; otherwise (anonymous-bank, queue-log) the registry alone decides who owns a queue.
    """
    stage.progress(0.62, _("checking partners and queues"))
    stage.run(_references_from_file() if partner_from_file else REFERENCES_FROM_REGISTRY)
    created = stage.run(f"SELECT queue, partner, {near.nearest_sql('queue', 'snap_queues')} FROM new_queues "
                        "ORDER BY queue").rows
    close_ones = [(queue, close) for queue, _, close in created if close]
    if close_ones and not stage.new_queues:
        raise near.NearQueues(close_ones, stage.file)
    stage.notes.extend((_("created queue {queue} ({owner}): close to the existing queue {close}, check the name") if close
                        else _("created queue {queue} ({owner})")).format(
                           queue=f"'{queue}'", owner=partner or _("in-house"), close=f"'{close}'")
                       for queue, partner, close in created)
    stage.run(REPEATED_KEYS)
    if stage.run("SELECT count(*) FROM repeated_keys").scalar():
        stage.run(DUPLICATES)
    else:
        stage.run("CREATE TABLE dups (rec BIGINT)")


PUBLISH_QUEUES = """
INSERT INTO queues (name, partner_id, time_zone)
SELECT n.queue, p.partner_id, ? FROM stg.new_queues n LEFT JOIN partners p ON p.name = n.partner
"""

# A customer id is stored only as its keyed pseudonym (migration 0013, data/idkey.py, docs/privacy.md).
# The HMAC is the costly part of a leg's write (two SHA-256 per id), and a customer calls many times:
# each distinct id of the file is hashed once and joined back (`pseudonyms`).
STORED = {"customer_id": "p.pseudonym"}

#
# A leg already held is found with a join from the file's keys into call_legs, not with NOT EXISTS:
# DuckDB plans NOT EXISTS as an anti-join that hashes every held leg's key (1.6 s of CPU at 30M
# legs, growing with the database), while a join builds on the file's few keys and pushes their
# range and a Bloom filter into the scan of call_legs, whose row groups the call ids' zone maps then
# skip: a day's file reads the row groups whose call ids overlap its own (docs/benchmarks.md).
PUBLISH_LEGS = f"""
INSERT INTO call_legs (queue_id, {", ".join(LEG_COLUMNS)}, batch_id)
WITH held AS (
    SELECT r.rowid AS rec
    FROM stg.rows r JOIN queues q ON q.name = r.queue
    JOIN call_legs c ON c.queue_id = q.queue_id AND c.call_id = r.call_id
    WHERE r.reason IS NULL AND r.rule IS NULL
)
SELECT q.queue_id, {", ".join(STORED.get(c, "r." + c) for c in LEG_COLUMNS)}, ?
FROM stg.rows r JOIN queues q ON q.name = r.queue
LEFT JOIN (SELECT customer_id, customer_pseudonym(customer_id) AS pseudonym
           FROM (SELECT DISTINCT customer_id FROM stg.rows
                 WHERE reason IS NULL AND rule IS NULL AND customer_id IS NOT NULL)) p
       ON p.customer_id = r.customer_id
WHERE r.reason IS NULL AND r.rule IS NULL
  AND r.rowid NOT IN (SELECT rec FROM stg.ref_rejects)
  AND r.rowid NOT IN (SELECT rec FROM stg.dups)
  AND r.rowid NOT IN (SELECT rec FROM held)
"""


def publish(con: Connection, tz: str, batch_id: int) -> int:
    """New queues, then the legs not already held; returns the number of legs inserted."""
    store.execute(con, PUBLISH_QUEUES, [tz])
    return store.execute(con, PUBLISH_LEGS, [batch_id]).scalar()


SPECS = (
    ProfileSpec("generic", "call_legs", "Call legs in the canonical CSV layout (.csv, .xlsx or .parquet).",
                stage_generic, publish),
    ProfileSpec("anonymous-bank", "call_legs",
                "Per-call records of the Technion Anonymous Bank data set (tab separated, Asia/Jerusalem).",
                stage_bank, publish, default_tz="Asia/Jerusalem", delimiter="\t"),
)
