"""Profiles for the other kinds of data: QA evaluations, surveys, staffing, forecasts, agreements.

Each is a CSV layout (docs/import-layouts.md) checked by the same column rules as call legs, a
reference check (the queue or partner must exist: these files describe queues and partners, they
never create them), a key that makes a repeat a duplicate, and the INSERT that publishes it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from data import store
from data.i18n import _
from data.store import Connection
from ingest.profiles import near
from ingest.profiles.fields import Field, Layout, literal, quoted, said
from ingest.profiles.stage import ProfileSpec, Stage, stage_layout
from partners import agreements
from partners.agreements import TARGETS

OK = ("r.reason IS NULL AND r.rule IS NULL AND r.rowid NOT IN (SELECT rec FROM stg.ref_rejects) "
      "AND r.rowid NOT IN (SELECT rec FROM stg.dups)")


def duplicates_sql(key: tuple[str, ...]) -> str:
    """dups = later rows of a key the same file already had (key columns are layout names)."""
    columns = ", ".join(key)
    return f"""
    CREATE TABLE dups AS
    WITH ok AS (
      SELECT rowid AS rec, {columns} FROM rows
      WHERE reason IS NULL AND rule IS NULL AND rowid NOT IN (SELECT rec FROM ref_rejects)
    ), repeated AS (
      SELECT {columns}, min(rec) AS first FROM ok GROUP BY {columns} HAVING count(*) > 1
    )
    SELECT ok.rec FROM ok JOIN repeated USING ({columns}) WHERE ok.rec <> repeated.first
    """


def reference_sql(kind: str, extra: str = "") -> str:
    """ref_rejects = checked rows whose queue or partner (`kind`, the column naming it) is not in the
    registry snapshot, with the reason in the importing reader's language."""
    snapshot = f"snap_{kind}s"
    return f"""
    CREATE TABLE ref_rejects AS
    SELECT rowid AS rec, {near.unknown_sql(kind, kind, snapshot)} AS reason FROM rows
    WHERE reason IS NULL AND rule IS NULL AND {kind} NOT IN (SELECT name FROM {snapshot})
    {extra}
    """


def reason(message: str, column: str, **more: str) -> str:
    """A check's reason (`said`) about one layout column: {column} its name, {value} the file's text
    quoted; `more` gives other names' SQL."""
    return said(message, column=literal(column), value=quoted(f'"{column}__raw"'), **more)


def _no_checks() -> tuple[str, ...]:
    return ()


def _no_more_references() -> str:
    return ""


@dataclass(frozen=True)
class Kind:
    """One record kind: layout, the queue or partner its rows must name (`reference`, "queue" or
    "partner"), duplicate key, extra row checks (CASE branches, or a domain check over the parsed
    rows) and extra reference rejects. The checks' SQL is built at each import, so that their reasons
    are in the importing reader's language."""

    layout: Layout
    reference: str
    key: tuple[str, ...]
    checks: Callable[[], tuple[str, ...]] = _no_checks
    more_references: Callable[[], str] = _no_more_references
    row_check: Callable[[Stage], None] | None = None

    def stage(self, stage: Stage) -> None:
        stage_layout(stage, self.layout, extra_checks=self.checks())
        if self.row_check is not None:
            self.row_check(stage)
        stage.progress(0.62, _("checking references"))
        stage.run(reference_sql(self.reference, self.more_references()))
        stage.run(duplicates_sql(self.key))


# --- QA ------------------------------------------------------------------------------------------

def _qa_evaluation_differs() -> str:
    """Rejects the item lines of an evaluation whose evaluation columns differ from its first line."""
    differs = said(_("evaluation {value} differs from its first line in queue, call_id, agent_id, evaluator, "
                     "evaluated_at, form or the calibration columns"), value=quoted("r.evaluation_id"))
    return f"""
    UNION ALL
    SELECT r.rowid, {differs}
    FROM rows r JOIN (SELECT evaluation_id, min(rowid) AS first FROM rows WHERE reason IS NULL
                      GROUP BY evaluation_id) f USING (evaluation_id)
    JOIN rows h ON h.rowid = f.first
    WHERE r.reason IS NULL AND r.queue IN (SELECT name FROM snap_queues)
      AND (r.queue, r.call_id, r.agent_id, r.evaluator, r.evaluated_at, r.form, r.is_calibration,
           r.calibration_session, r.is_agreed)
          IS DISTINCT FROM (h.queue, h.call_id, h.agent_id, h.evaluator, h.evaluated_at, h.form, h.is_calibration,
                            h.calibration_session, h.is_agreed)
    """


QA = Kind(
    Layout((
        Field("evaluation_id"), Field("queue"), Field("call_id", required=False), Field("agent_id", required=False),
        Field("evaluator"), Field("evaluated_at", "timestamp"), Field("form", required=False),
        Field("is_calibration", "bool", required=False), Field("calibration_session", required=False),
        Field("is_agreed", "bool", required=False), Field("section"), Field("item"),
        Field("points", "number", required=False), Field("max_points", "number"), Field("weight", "number", required=False),
        Field("is_na", "bool", required=False), Field("is_critical", "bool", required=False),
        Field("is_fatal", "bool", required=False),
        Field("scored_by", "choice", required=False, choices=("centre", "partner")),
    )),
    reference="queue",
    more_references=_qa_evaluation_differs,
    key=("evaluation_id", "section", "item"),
    checks=lambda: (
        'WHEN "max_points" <= 0 THEN ' + reason(_("{column} {value} must be more than 0"), "max_points"),
        'WHEN "points" IS NULL AND NOT coalesce("is_na", false) THEN '
        + said(_("points is empty (mark a not-applicable item with is_na = yes)")),
        'WHEN "points" > "max_points" THEN '
        + reason(_("points {value} is more than max_points {limit}"), "points", limit=quoted('"max_points__raw"')),
    ),
)

PUBLISH_QA = f"""
INSERT INTO qa_evaluations (evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, form, is_calibration,
    calibration_session, is_agreed, batch_id, scored_by)
SELECT DISTINCT ON (r.evaluation_id) r.evaluation_id, q.queue_id, r.call_id, r.agent_id, r.evaluator, r.evaluated_at,
       coalesce(r.form, 'default'), coalesce(r.is_calibration, false), r.calibration_session,
       coalesce(r.is_agreed, false), ?, r.scored_by
FROM stg.rows r JOIN queues q ON q.name = r.queue
WHERE {OK} AND r.evaluation_id NOT IN (SELECT evaluation_id FROM qa_evaluations)
ORDER BY r.evaluation_id, r.rowid;
"""

PUBLISH_QA_ITEMS = f"""
INSERT INTO qa_items (evaluation_id, section, item, points, max_points, weight, is_na, is_critical, is_fatal, position)
SELECT r.evaluation_id, r.section, r.item, CASE WHEN coalesce(r.is_na, false) THEN NULL ELSE r.points END,
       r.max_points, coalesce(r.weight, 1), coalesce(r.is_na, false), coalesce(r.is_critical, false),
       r.is_fatal, r.rowid
FROM stg.rows r
WHERE {OK} AND NOT EXISTS (SELECT 1 FROM qa_items i WHERE i.evaluation_id = r.evaluation_id AND i.section = r.section
                  AND i.item = r.item)
"""


def publish_qa(con: Connection, tz: str, batch_id: int) -> int:
    """Evaluations first (from each one's first line), then the items not already held.

    An item's is_fatal left empty takes its is_critical, as every critical item was fatal before
    is_fatal existed (files of that layout keep their scores); `is_critical = yes, is_fatal = no` is a
    critical item that is reported but does not zero the evaluation."""
    store.execute(con, PUBLISH_QA, [batch_id])
    return store.execute(con, PUBLISH_QA_ITEMS).scalar()


# --- surveys -------------------------------------------------------------------------------------

SURVEYS = Kind(
    Layout((Field("answer_id"), Field("queue"), Field("call_id", required=False), Field("answered_at", "timestamp"),
            Field("scale", "choice", choices=("csat", "nps")), Field("score", "count"))),
    reference="queue",
    key=("answer_id",),
    checks=lambda: (
        "WHEN \"scale\" = 'csat' AND NOT round(\"score\") BETWEEN 1 AND 5 THEN "
        + reason(_("score {value} is outside the csat scale 1-5"), "score"),
        "WHEN \"scale\" = 'nps' AND NOT round(\"score\") BETWEEN 0 AND 10 THEN "
        + reason(_("score {value} is outside the nps scale 0-10"), "score"),
    ),
)


def publish_surveys(con: Connection, tz: str, batch_id: int) -> int:
    return store.execute(
        con, f"""
        INSERT INTO survey_answers (answer_id, queue_id, call_id, answered_at, scale, score, batch_id)
        SELECT r.answer_id, q.queue_id, r.call_id, r.answered_at, r.scale, r.score, ?
        FROM stg.rows r JOIN queues q ON q.name = r.queue
        WHERE {OK} AND r.answer_id NOT IN (SELECT answer_id FROM survey_answers)
        """,
        [batch_id],
    ).scalar()


# --- staffing ------------------------------------------------------------------------------------

STAFFING = Kind(
    Layout((Field("queue"), Field("interval_start", "timestamp"), Field("contracted_min", "number", required=False),
            Field("logged_in_min", "number", required=False))),
    reference="queue",
    key=("queue", "interval_start"),
    checks=lambda: (
        'WHEN epoch("interval_start") % 900 <> 0 THEN '
        + reason(_("{column} {value} is not on a 15-minute boundary"), "interval_start"),
        'WHEN "contracted_min" > 10000 OR "logged_in_min" > 10000 THEN '
        + said(_("more than 10,000 agent minutes in 15 minutes (is it seconds?)")),
    ),
)


def publish_staffing(con: Connection, tz: str, batch_id: int) -> int:
    return store.execute(
        con, f"""
        INSERT INTO staffing (queue_id, interval_start, contracted_min, logged_in_min, batch_id)
        SELECT q.queue_id, r.interval_start, r.contracted_min, r.logged_in_min, ?
        FROM stg.rows r JOIN queues q ON q.name = r.queue
        WHERE {OK} AND NOT EXISTS (SELECT 1 FROM staffing s WHERE s.queue_id = q.queue_id
                                   AND s.interval_start = r.interval_start)
        """,
        [batch_id],
    ).scalar()


# --- forecasts -----------------------------------------------------------------------------------

FORECASTS = Kind(
    Layout((Field("partner"), Field("week_start", "date"), Field("legs", "count"))),
    reference="partner",
    key=("partner", "week_start"),
    checks=lambda: ('WHEN isodow("week_start") <> 1 THEN ' + reason(_("{column} {value} is not a Monday"), "week_start"),),
)


def publish_forecasts(con: Connection, tz: str, batch_id: int) -> int:
    return store.execute(
        con, f"""
        INSERT INTO forecasts (partner_id, week_start, legs, batch_id)
        SELECT p.partner_id, r.week_start, r.legs, ?
        FROM stg.rows r JOIN partners p ON p.name = r.partner
        WHERE {OK} AND NOT EXISTS (SELECT 1 FROM forecasts f WHERE f.partner_id = p.partner_id
                                   AND f.week_start = r.week_start)
        """,
        [batch_id],
    ).scalar()


# --- invoices ------------------------------------------------------------------------------------

INVOICE_UNITS = ("handled_calls", "talk_minutes", "agent_hours", "agents")
# The billed month: '2026-11' or its first day '2026-11-01'.
INVOICE_MONTH = ("TRY_CAST(CASE WHEN length(trim(r.period)) = 7 THEN trim(r.period) || '-01' "
                 "ELSE trim(r.period) END AS DATE)")

INVOICES = Kind(
    Layout((Field("partner"), Field("invoice"), Field("line"), Field("period"),
            Field("unit", "choice", choices=INVOICE_UNITS), Field("quantity", "number"), Field("unit_price", "number"))),
    reference="partner",
    key=("partner", "invoice", "line"),
    checks=lambda: (
        f"WHEN {INVOICE_MONTH.replace('r.', '')} IS NULL OR day({INVOICE_MONTH.replace('r.', '')}) <> 1 THEN "
        + said(_("period {value} is not a month (write it as 2026-11)"), value=quoted("period")),
    ),
)


def publish_invoices(con: Connection, tz: str, batch_id: int) -> int:
    """A line already held (same partner, invoice and line) is a duplicate: an invoice is corrected by
    a credit note under a new line or invoice, not by importing the line again."""
    return store.execute(
        con, f"""
        INSERT INTO invoice_lines (partner_id, invoice, line, month, unit, quantity, unit_price, batch_id)
        SELECT p.partner_id, r.invoice, r.line, {INVOICE_MONTH}, r.unit, r.quantity, r.unit_price, ?
        FROM stg.rows r JOIN partners p ON p.name = r.partner
        WHERE {OK} AND NOT EXISTS (SELECT 1 FROM invoice_lines i WHERE i.partner_id = p.partner_id
                                   AND i.invoice = r.invoice AND i.line = r.line)
        """,
        [batch_id],
    ).scalar()


# --- agreements ----------------------------------------------------------------------------------

def _agreement_field(name: str) -> Field:
    """The column of one agreement target: parsed here (a number, or the variant in lower case),
    judged by partners.agreements.checked, which holds every agreement rule."""
    return Field(name, "choice" if name in agreements.CHOICES else "signed", required=False)


def _targets(values: list[object]) -> dict[str, object]:
    """The targets a staged row sets (TARGETS order; an empty cell leaves its target unset)."""
    return {name: value for name, value in zip(TARGETS, values) if value is not None}


def _check_agreements(stage: Stage) -> None:
    """A row partners.agreements would refuse is rejected with its words, before any row is published."""
    rows = store.execute(stage.con, f"SELECT rowid, {', '.join(TARGETS)} FROM rows WHERE reason IS NULL").rows
    for rec, *values in rows:
        try:
            agreements.checked(_targets(values))
        except agreements.TargetError as refusal:
            store.execute(stage.con, "UPDATE rows SET reason = $reason WHERE rowid = $rec",
                          {"reason": str(refusal), "rec": rec})


AGREEMENTS = Kind(
    Layout((Field("partner"), Field("valid_from", "date"), *(_agreement_field(n) for n in TARGETS),
            Field("created_by", required=False), Field("note", required=False))),
    reference="partner",
    key=("partner", "valid_from"),
    row_check=_check_agreements,
)


def publish_agreements(con: Connection, tz: str, batch_id: int) -> int:
    """Each new version through partners.agreements.add_version: its defaults, audit line and rollup refresh."""

    rows = store.execute(
        con, f"""
        SELECT p.partner_id, r.valid_from, r.created_by, r.note, {", ".join("r." + t for t in TARGETS)}
        FROM stg.rows r JOIN partners p ON p.name = r.partner
        WHERE {OK} AND NOT EXISTS (SELECT 1 FROM agreements a WHERE a.partner_id = p.partner_id
                                   AND a.valid_from = r.valid_from)
        ORDER BY r.rowid
        """
    ).rows
    for partner_id, valid_from, created_by, note, *values in rows:
        agreements.add_version(con, partner_id, valid_from, created_by=created_by or f"import batch {batch_id}",
                               note=note or f"imported in batch {batch_id}", **_targets(values))
    return len(rows)


SPECS = (
    ProfileSpec("qa", "qa", "QA evaluations and their items, one item per line (long CSV).", QA.stage, publish_qa),
    ProfileSpec("surveys", "surveys", "Customer survey answers: CSAT 1-5 or NPS 0-10, one answer per line.",
                SURVEYS.stage, publish_surveys),
    ProfileSpec("staffing", "staffing", "Contracted and logged-in agent minutes per queue per 15-minute interval.",
                STAFFING.stage, publish_staffing),
    ProfileSpec("forecasts", "forecasts", "Weekly forecast of legs sent to each partner (week_start = Monday).",
                FORECASTS.stage, publish_forecasts),
    ProfileSpec("invoice", "invoice_lines", "The partner's invoice lines: month, billing unit, quantity and unit price.",
                INVOICES.stage, publish_invoices),
    ProfileSpec("agreements", "agreements", "Agreement versions per partner (columns = the agreements table).",
                AGREEMENTS.stage, publish_agreements),
)
