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
from data import i18n, settings, store
from data.i18n import N_, _, n_
from data.store import Connection
from meetings.meetings import Snapshot
from metrics import statuses
from metrics.definitions import metric
from partners import agreements, periods, registry
from partners.agreements import Agreement, CreditRule
from partners.periods import Period
from reports import exports, frames, views
from reports.exports import Document, Section, Table, frame

LINE_COLUMNS = ("figure", "value", "value as closed", "target", "status", "status as closed", "rule", "points",
                "charged", "amount", "due", "outcome", "explanation")
TOTAL_COLUMNS = ("item", "amount")
INVOICE_COLUMNS = ("invoice", "line", "unit", "billed quantity", "our count", "difference", "unit price", "amount")
DISPUTE_COLUMNS = ("dispute", "figure", "span", "reason", "raised by", "status", "decided by", "note")
EARN_BACK_COLUMNS = ("figure", "credit of", "returned")


RULE_COLUMNS = ("valid_from", "version", "figure", "rule", "credit_month_cap")
# The headings above, marked for the catalogs (the files write them in the reader's language,
# exports.heading); and the ids the Excel keeps in its cells (a status, an outcome), said in words.
HEADINGS = (N_("value as closed"), N_("status as closed"), N_("rule"), N_("points"), N_("charged"), N_("amount"),
            N_("outcome"), N_("explanation"), N_("invoice"), N_("line"), N_("billed quantity"), N_("our count"),
            N_("difference"), N_("unit price"), N_("dispute"), N_("span"), N_("reason"), N_("raised by"),
            N_("decided by"), N_("note"), N_("credit of"), N_("returned"), N_("valid_from"), N_("version"),
            N_("credit_month_cap"))
IDS = {"green": N_("green"), "amber": N_("amber"), "red": N_("red"), "no data": N_("no data"),
       "no target": N_("no target"), "excused": N_("excused"), "provisional": N_("provisional"),
       "unsure": N_("unsure"), "credit": N_("credit"), "bonus": N_("bonus"), "none": N_("none"),
       "open": N_("open"), "accepted": N_("accepted"), "rejected": N_("rejected")}


def word(value: str) -> str:
    """A status, outcome or dispute status id in the reader's language ('red' / 'rött')."""
    return _(IDS[value]) if value in IDS else value


def rules_frame(versions: Sequence[tuple[Agreement, Sequence[CreditRule]]]) -> pd.DataFrame:
    """Each version's credit and bonus rules in words, newest version first (the Agreements page)."""
    rows = [{"valid_from": version.valid_from, "version": version.version, "figure": views.label(rule.metric),
             "rule": views.rule_text(rule, metric(rule.metric).unit), "credit_month_cap": version.credit_month_cap}
            for version, rules in reversed(versions) for rule in rules]
    return frame(rows, RULE_COLUMNS)


def _number(value) -> float | None:
    return None if value is None else float(value)


def lines_table(rec: Record) -> Table:
    """Each figure, its status, the rule applied and what it costs or earns, explained."""
    rows = [{
        "figure": views.figure_label(line), "value": line.value, "value as closed": line.original_value,
        "target": line.target if isinstance(line.target, (int, float)) else None,
        "status": word(line.status), "status as closed": word(line.original_status),
        "rule": views.rule_text(line.rule, line.unit),
        "points": _number(line.points), "charged": _number(line.units), "amount": float(line.amount),
        "due": float(line.due), "outcome": word(line.outcome), "explanation": views.line_text(line, rec.invoice_total),
    } for line in rec.lines]
    shown = [{**row, "value": views.display(line.value, line.unit),
              "value as closed": views.display(line.original_value, line.unit),
              "target": views.display_target(line.target, line.unit), "status": statuses.text(line.status),
              "status as closed": statuses.text(line.original_status),
              "points": views.MISSING if row["points"] is None else i18n.number(row["points"], 2),
              "charged": views.MISSING if row["charged"] is None else i18n.number(row["charged"], 2),
              "amount": views.money_text(line.amount), "due": views.money_text(line.due)}
             for row, line in zip(rows, rec.lines)]
    return Table(_("Credits and bonuses"), frame(rows, LINE_COLUMNS), shown=frame(shown, LINE_COLUMNS),
                 note=_("After agreed exclusions: a disputed figure shows its value as closed beside it.")
                 if rec.adjusted else "")


def totals(rec: Record) -> list[tuple[str, float | None]]:
    """The month's sums in the order finance nets them."""
    return [
        (_("Invoice total"), _number(rec.invoice_total)),
        (_("Credits (after figure caps)"), float(rec.credits)),
        (_("Month cap takes off the credits"), float(rec.credit_cap_cut)),
        (_("Bonuses (after figure caps)"), float(rec.bonuses)),
        (_("Month cap takes off the bonuses"), float(rec.bonus_cap_cut)),
        (_("Earned back from earlier months"), float(rec.earned_back)),
        (_("Net to the partner (bonuses + earned back - credits)"), float(rec.net)),
        (_("Payable (invoice + net)"), _number(rec.payable)),
    ]


def totals_table(rec: Record) -> Table:
    rows = [{"item": item, "amount": amount} for item, amount in totals(rec)]
    shown = [{"item": item, "amount": views.MISSING if amount is None else views.money_text(amount)}
             for item, amount in totals(rec)]
    cap = rec.settled.month_cap
    note = (_("No month cap.") if cap is None else
            _("Month cap {amount} on the credits and, apart, on the bonuses.").format(amount=views.money_text(cap)))
    if rec.invoice_total is None:
        note += " " + _("No invoice is imported for the month.")
    return Table(_("Totals"), frame(rows, TOTAL_COLUMNS), shown=frame(shown, TOTAL_COLUMNS), note=note)


# The billing units of an invoice line (commercial.closes.UNITS) in words; the CSV keeps the ids.
UNIT_WORDS = {"handled_calls": N_("handled calls"), "talk_minutes": N_("talk minutes"), "agent_hours": N_("agent-hours"),
              "agents": N_("agents")}


def invoice_table(rec: Record) -> Table:
    rows = [{"invoice": c.invoice, "line": c.line, "unit": c.unit, "billed quantity": c.quantity, "our count": c.ours,
             "difference": c.difference, "unit price": c.unit_price, "amount": float(c.amount)}
            for c in rec.settled.invoice]
    shown = [{**row, "unit": _(UNIT_WORDS[row["unit"]]) if row["unit"] in UNIT_WORDS else row["unit"]} for row in rows]
    differing = sum(1 for c in rec.settled.invoice if c.difference)
    return Table(_("Invoice against our counts"), frame(rows, INVOICE_COLUMNS), shown=frame(shown, INVOICE_COLUMNS),
                 sheet=_("Invoice"),
                 note=_("No invoice is imported for the month (profile invoice).") if not rows else
                 views.count_text(n_("{count} line bill a quantity other than our count (difference = billed minus "
                                     "counted, our counts as frozen at the close).",
                                     "{count} lines bill a quantity other than our count (difference = billed minus "
                                     "counted, our counts as frozen at the close).", differing), differing)
                 if differing else _("Every line matches our count."))


def earn_back_table(rec: Record) -> Table:
    rows = [{"figure": views.figure_label(e), "credit of": e.from_month.label, "returned": float(e.amount)}
            for e in rec.earn_backs]
    return Table(_("Earned back"), frame(rows, EARN_BACK_COLUMNS),
                 note="" if rows else _("No credit of an earlier month is earned back this month."))


def disputes_table(rec: Record, tz: str) -> Table:
    labels = {line.metric: views.figure_label(line) for line in rec.lines}
    rows = [{"dispute": d.dispute_id, "figure": labels.get(d.metric, d.metric),
             "span": _("the whole figure") if d.span_start is None else
             _("{start} to {end}").format(start=periods.clock_text(d.span_start, tz), end=periods.clock_text(d.span_end, tz)),
             "reason": d.reason, "raised by": d.raised_by, "status": word(d.status), "decided by": d.decided_by or "",
             "note": d.decision_note} for d in rec.settled.disputes]
    return Table(_("Disputes"), frame(rows, DISPUTE_COLUMNS), note="" if rows else _("No figure of the month is disputed."))


def record_sections(rec: Record) -> tuple[Section, ...]:
    """The record's sections (the meeting pack appends them; the file is only these)."""
    tz = rec.settled.close.snapshot.time_zone
    heading = (_("Commercial record {month} (after agreed exclusions)") if rec.adjusted else
               _("Commercial record {month}")).format(month=rec.month.label)
    summary = _("Closed {moment} by {person}; figures as frozen then, judged by {terms}. Net to the partner: {net}").format(
        moment=periods.clock_text(rec.closed_at, tz), person=rec.settled.close.closed_by or "?",
        terms=rec.settled.terms.name, net=views.money_text(rec.net))
    if rec.payable is not None:
        summary += "; " + _("payable after netting: {amount}").format(amount=views.money_text(rec.payable))
    summary += "."
    tables = (totals_table(rec), lines_table(rec), earn_back_table(rec), invoice_table(rec), disputes_table(rec, tz))
    sections = (Section(heading, text=summary, tables=tables),)
    if rec.differences:
        sections += (Section(_("Differences since the close"), text=_("The record stands as closed; today's data gives:"),
                             tables=(exports.differences_table(rec.differences),)),)
    return sections


def record_document(rec: Record) -> Document:
    return Document(_("Commercial record: {partner}").format(partner=rec.partner),
                    _("{month} · amounts in the invoice's currency").format(month=rec.month.named), record_sections(rec))


def record_for(con: Connection, partner_id: int, month: Period, partner_ids: tuple[int, ...] | None = None) -> Record:
    """The record with today's figures of the month beside it (the differences since the close)."""
    tz = settings.get(con, "reporting_tz")
    current: Snapshot = frames.snapshot(con, partner_id, month, tz, partner_ids, with_series=False)
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
