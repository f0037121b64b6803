"""The month's commercial record as a document: on the page, in the meeting pack and as the Excel
(or PDF) finance receives. Every amount is a number in Excel (to the cent, as the record computed
it); the words beside it come from reports.views."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pandas as pd

from commercial import closes, record
from commercial.record import Record
from data import settings, store
from data.store import Connection
from meetings.meetings import Snapshot
from metrics import statuses
from metrics.definitions import metric
from partners import agreements, periods, registry
from partners.agreements import Agreement, CreditRule
from partners.periods import Period
from reports import exports, views
from reports.exports import Document, Section, Table, frame

LINE_COLUMNS = ("figure", "value", "value as closed", "target", "status", "status as closed", "rule", "points",
                "charged", "amount", "due", "outcome", "explanation")
TOTAL_COLUMNS = ("item", "amount")
INVOICE_COLUMNS = ("invoice", "line", "unit", "billed quantity", "our count", "difference", "unit price", "amount")
DISPUTE_COLUMNS = ("dispute", "figure", "span", "reason", "raised by", "status", "decided by", "note")
EARN_BACK_COLUMNS = ("figure", "credit of", "returned")


RULE_COLUMNS = ("valid_from", "version", "figure", "rule", "credit_month_cap")


def rules_frame(versions: Sequence[tuple[Agreement, Sequence[CreditRule]]]) -> pd.DataFrame:
    """Each version's credit and bonus rules in words, newest version first (the Agreements page)."""
    rows = [{"valid_from": version.valid_from, "version": version.version, "figure": metric(rule.metric).label,
             "rule": views.rule_text(rule, metric(rule.metric).unit), "credit_month_cap": version.credit_month_cap}
            for version, rules in reversed(versions) for rule in rules]
    return frame(rows, RULE_COLUMNS)


def _number(value) -> float | None:
    return None if value is None else float(value)


def lines_table(rec: Record) -> Table:
    """Each figure, its status, the rule applied and what it costs or earns, explained."""
    rows = [{
        "figure": line.label, "value": line.value, "value as closed": line.original_value,
        "target": line.target if isinstance(line.target, (int, float)) else None,
        "status": line.status, "status as closed": line.original_status, "rule": views.rule_text(line.rule, line.unit),
        "points": _number(line.points), "charged": _number(line.units), "amount": float(line.amount),
        "due": float(line.due), "outcome": line.outcome, "explanation": views.line_text(line, rec.invoice_total),
    } for line in rec.lines]
    shown = [{**row, "value": views.display(line.value, line.unit),
              "value as closed": views.display(line.original_value, line.unit),
              "target": views.display_target(line.target, line.unit), "status": statuses.text(line.status),
              "status as closed": statuses.text(line.original_status),
              "points": views.MISSING if row["points"] is None else f"{row['points']:,.2f}",
              "charged": views.MISSING if row["charged"] is None else f"{row['charged']:,.2f}",
              "amount": views.money_text(line.amount), "due": views.money_text(line.due)}
             for row, line in zip(rows, rec.lines)]
    return Table("Credits and bonuses", frame(rows, LINE_COLUMNS), shown=frame(shown, LINE_COLUMNS),
                 note="After agreed exclusions: a disputed figure shows its value as closed beside it."
                 if rec.adjusted else "")


def totals(rec: Record) -> list[tuple[str, float | None]]:
    """The month's sums in the order finance nets them."""
    return [
        ("Invoice total", _number(rec.invoice_total)),
        ("Credits (after figure caps)", float(rec.credits)),
        ("Month cap takes off the credits", float(rec.credit_cap_cut)),
        ("Bonuses (after figure caps)", float(rec.bonuses)),
        ("Month cap takes off the bonuses", float(rec.bonus_cap_cut)),
        ("Earned back from earlier months", float(rec.earned_back)),
        ("Net to the partner (bonuses + earned back - credits)", float(rec.net)),
        ("Payable (invoice + net)", _number(rec.payable)),
    ]


def totals_table(rec: Record) -> Table:
    rows = [{"item": item, "amount": amount} for item, amount in totals(rec)]
    shown = [{"item": item, "amount": views.MISSING if amount is None else views.money_text(amount)}
             for item, amount in totals(rec)]
    cap = rec.settled.month_cap
    return Table("Totals", frame(rows, TOTAL_COLUMNS), shown=frame(shown, TOTAL_COLUMNS),
                 note=("No month cap." if cap is None else f"Month cap {views.money_text(cap)} on the credits "
                       "and, apart, on the bonuses.") + ("" if rec.invoice_total is not None
                                                         else " No invoice is imported for the month."))


def invoice_table(rec: Record) -> Table:
    rows = [{"invoice": c.invoice, "line": c.line, "unit": c.unit, "billed quantity": c.quantity, "our count": c.ours,
             "difference": c.difference, "unit price": c.unit_price, "amount": float(c.amount)}
            for c in rec.settled.invoice]
    differing = sum(1 for c in rec.settled.invoice if c.difference)
    return Table("Invoice against our counts", frame(rows, INVOICE_COLUMNS), sheet="Invoice",
                 note="No invoice is imported for the month (profile invoice)." if not rows else
                 f"{views.counted(differing, 'line')} bill a quantity other than our count (difference = billed "
                 "minus counted, our counts as frozen at the close)." if differing else "Every line matches our count.")


def earn_back_table(rec: Record) -> Table:
    rows = [{"figure": e.label, "credit of": e.from_month.label, "returned": float(e.amount)} for e in rec.earn_backs]
    return Table("Earned back", frame(rows, EARN_BACK_COLUMNS),
                 note="" if rows else "No credit of an earlier month is earned back this month.")


def disputes_table(rec: Record, tz: str) -> Table:
    labels = {line.metric: line.label for line in rec.lines}
    rows = [{"dispute": d.dispute_id, "figure": labels.get(d.metric, d.metric),
             "span": "the whole figure" if d.span_start is None else
             f"{periods.clock_text(d.span_start, tz)} to {periods.clock_text(d.span_end, tz)}",
             "reason": d.reason, "raised by": d.raised_by, "status": d.status, "decided by": d.decided_by or "",
             "note": d.decision_note} for d in rec.settled.disputes]
    return Table("Disputes", frame(rows, DISPUTE_COLUMNS), note="" if rows else "No figure of the month is disputed.")


def record_sections(rec: Record) -> tuple[Section, ...]:
    """The record's sections (the meeting pack appends them; the file is only these)."""
    tz = rec.settled.close.snapshot.time_zone
    heading = f"Commercial record {rec.month.label}" + (" (after agreed exclusions)" if rec.adjusted else "")
    summary = (f"Closed {periods.clock_text(rec.closed_at, tz)} by {rec.settled.close.closed_by or '?'}; figures as "
               f"frozen then, judged by {rec.settled.terms.name}. Net to the partner: {views.money_text(rec.net)}"
               + ("" if rec.payable is None else f"; payable after netting: {views.money_text(rec.payable)}") + ".")
    tables = (totals_table(rec), lines_table(rec), earn_back_table(rec), invoice_table(rec), disputes_table(rec, tz))
    sections = (Section(heading, text=summary, tables=tables),)
    if rec.differences:
        sections += (Section("Differences since the close", text="The record stands as closed; today's data gives:",
                             tables=(exports.differences_table(rec.differences),)),)
    return sections


def record_document(rec: Record) -> Document:
    return Document(f"Commercial record: {rec.partner}", f"{rec.month.named} · amounts in the invoice's currency",
                    record_sections(rec))


def record_for(con: Connection, partner_id: int, month: Period, partner_ids: tuple[int, ...] | None = None) -> Record:
    """The record with today's figures of the month beside it (the differences since the close)."""
    tz = settings.get(con, "reporting_tz")
    current: Snapshot = views.snapshot(con, partner_id, month, tz, partner_ids, with_series=False)
    return record.record(con, partner_id, month, partner_ids, current=current)


def write_record(partner: str, month_text: str, out: Path, db: str | None = None) -> Path:
    """`python -m cli credits`: the closed month's record as .xlsx (or .pdf)."""
    exports.check_extension(out)
    month = closes.month_of(month_text)
    with store.reading(db) as con:
        rec = record_for(con, registry.known_partner(con, partner), month)
    return exports.write(record_document(rec), out)


def rules_of_partner(con: Connection, partner_id: int) -> pd.DataFrame:
    """`rules_frame` of every version of one partner."""
    return rules_frame([(a, agreements.rules_of(con, a.agreement_id)) for a in agreements.history(con, partner_id)])


def pack_sections(con: Connection, partner_id: int, period: Period,
                  partner_ids: tuple[int, ...] | None = None) -> tuple[Section, ...]:
    """The records of the partner's closed months whose last day lies in `period` (a meeting's), for
    its pack: the meeting where the month's money is agreed shows the same record as the file."""
    last_days = [m for m in closes.closed_months(con, partner_id)
                 if period.start <= m.end - timedelta(days=1) < period.end]
    return tuple(section for month in reversed(last_days)
                 for section in record_sections(record.record(con, partner_id, month, partner_ids)))
