"""The month's commercial record: each figure's credit or bonus under its agreement's rules.

Computed from the month's close only (commercial.closes), never from today's data: figures, statuses
and our counts of the billing units as frozen, with the accepted disputes taken out of the figures
they name (`Line.disputes`; the frozen value stays beside as `original_value`). The rules are the
version's in force on the month's last day (partners.terms.latest), as the scorecard values the month.

Per figure with a rule: a miss whose status the rule counts costs `miss_amount` per point missed
(pro rata) or per started band of `band_points` points; a beat of a met figure earns `beat_amount`
likewise. Points are the figure's own unit: percentage points for a share, seconds, NPS points. A
share-of-invoice rule multiplies by the month's invoice total. The figure cap, then the month cap
(credits and bonuses apart), limit what is due. Excused, provisional and no-data figures never cost.
A credit is earned back in the record of the month `earn_back_months` later when the figure met its
target in every month after it up to that one (each month closed): what it cost is returned.
Money is rounded to cents, half up, line by line.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from commercial import closes, disputes
from commercial.closes import MonthClose
from commercial.disputes import Dispute
from data import store
from data.errors import UserError
from data.i18n import _
from data.store import Connection
from meetings.meetings import Difference, FrozenFigure, Snapshot, changed_only, compare
from metrics import measures, statuses
from metrics.definitions import HIGHER, SL_VARIANTS, metric
from partners import agreements, periods, registry, terms
from partners.access import OUT_OF_SCOPE
from partners.agreements import CreditRule
from partners.periods import Period
from partners.terms import Terms

CENT = Decimal("0.01")
ZERO = Decimal(0)
CREDIT, BONUS, NONE = "credit", "bonus", "none"


def money(value: Decimal | float | int) -> Decimal:
    """An amount to the cent, half up (0.005 -> 0.01), as invoices round."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One figure of the month with its rule and what it costs or earns."""

    metric: str
    label: str
    unit: str
    value: float | None          # after agreed exclusions
    original_value: float | None  # as the month was closed
    target: Any
    status: str
    original_status: str
    rule: CreditRule | None
    outcome: str                 # credit | bonus | none
    reason: str                  # why none: met, no rule, a status, 'not counted', 'set aside', 'no invoice'
    points: Decimal | None       # points missed (credit) or beaten (bonus)
    units: Decimal | None        # the points (per point) or the started bands (per band) charged
    amount: Decimal              # before the figure cap
    due: Decimal                 # after the figure cap
    disputes: tuple[int, ...] = ()   # the accepted disputes that changed this figure
    note: str = ""               # the frozen figure's note (why a miss is excused, or not)

    @property
    def adjusted(self) -> bool:
        return bool(self.disputes)

    @property
    def capped(self) -> bool:
        return self.due != self.amount


@dataclass(frozen=True)
class EarnBack:
    """A credit of an earlier month returned: the figure met its target in every month since."""

    metric: str
    label: str
    from_month: Period
    amount: Decimal


@dataclass(frozen=True)
class InvoiceCheck:
    """One invoice line beside our own count of its unit for the month (frozen at the close)."""

    invoice: str
    line: str
    unit: str
    quantity: float
    unit_price: float
    ours: float

    @property
    def amount(self) -> Decimal:
        return money(Decimal(repr(self.quantity)) * Decimal(repr(self.unit_price)))

    @property
    def difference(self) -> float:
        """Billed minus counted: positive when the partner bills more than we count."""
        return round(self.quantity - self.ours, 2)


@dataclass(frozen=True)
class Settled:
    """A closed month's lines and caps, before earn-backs (which look at the months around it)."""

    close: MonthClose
    terms: Terms
    lines: tuple[Line, ...]
    invoice: tuple[InvoiceCheck, ...]
    disputes: tuple[Dispute, ...]

    def total(self, outcome: str) -> Decimal:
        return sum((line.due for line in self.lines if line.outcome == outcome), ZERO)

    @property
    def month_cap(self) -> Decimal | None:
        cap = self.terms.target("credit_month_cap")
        return None if cap is None else money(cap)

    def cap_cut(self, outcome: str) -> Decimal:
        """What the month cap takes off the month's credits (or bonuses)."""
        total, cap = self.total(outcome), self.month_cap
        return ZERO if cap is None or total <= cap else total - cap

    def due(self, outcome: str) -> Decimal:
        return self.total(outcome) - self.cap_cut(outcome)

    @property
    def invoice_total(self) -> Decimal | None:
        return sum((c.amount for c in self.invoice), ZERO) if self.invoice else None

    def line(self, name: str) -> Line | None:
        return next((line for line in self.lines if line.metric == name), None)


@dataclass(frozen=True)
class Record:
    """The month's commercial record: what finance pays or deducts, line by line."""

    partner_id: int
    partner: str
    month: Period
    settled: Settled
    earn_backs: tuple[EarnBack, ...]
    differences: tuple[Difference, ...]   # today's figures where they differ from the frozen ones

    @property
    def lines(self) -> tuple[Line, ...]:
        return self.settled.lines

    @property
    def credits(self) -> Decimal:
        return self.settled.total(CREDIT)

    @property
    def bonuses(self) -> Decimal:
        return self.settled.total(BONUS)

    @property
    def credit_cap_cut(self) -> Decimal:
        return self.settled.cap_cut(CREDIT)

    @property
    def bonus_cap_cut(self) -> Decimal:
        return self.settled.cap_cut(BONUS)

    @property
    def earned_back(self) -> Decimal:
        return sum((e.amount for e in self.earn_backs), ZERO)

    @property
    def net(self) -> Decimal:
        """What the partner earns (positive) or owes (negative) on top of its invoice."""
        return self.settled.due(BONUS) + self.earned_back - self.settled.due(CREDIT)

    @property
    def invoice_total(self) -> Decimal | None:
        return self.settled.invoice_total

    @property
    def payable(self) -> Decimal | None:
        """The invoice after the credits are netted; None without an invoice."""
        return None if self.invoice_total is None else self.invoice_total + self.net

    @property
    def adjusted(self) -> bool:
        """Whether an accepted dispute changed a figure: the record is 'after agreed exclusions'."""
        return any(line.adjusted for line in self.lines)

    @property
    def closed_at(self) -> datetime:
        return self.settled.close.closed_at


# --- figures after agreed exclusions -------------------------------------------------------------

def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=None)


def _summed(rows: Iterable[dict[str, Any]]) -> dict[str, float]:
    total = dict.fromkeys(disputes.INTERVAL_COLUMNS, 0.0)
    for row in rows:
        for column in disputes.INTERVAL_COLUMNS:
            total[column] += float(row[column] or 0)
    return total


def _without(figure: FrozenFigure, close: MonthClose, spans: list[Dispute], terms_: Terms) -> FrozenFigure:
    """The figure recomputed from the frozen intervals that no accepted span covers, and judged again."""
    kept = [r for r in close.intervals if not any(d.covers(_utc(r["interval_utc"])) for d in spans)]
    if figure.metric == "interval_sl_attainment":
        days = [{**r, "local_day": date.fromisoformat(r["local_day"][:10])} for r in kept]
        found = measures.attainment(days, terms_.sl_variant, terms_.target("sl_target"))
        definition = metric("interval_sl_attainment")
    else:
        definition = metric(SL_VARIANTS[terms_.sl_variant] if figure.metric == "service_level" else figure.metric)
        found = measures.ratio_of(_summed(kept), definition)
    observed = statuses.sample_of(definition, found.numerator, found.denominator, found.sum_squares)
    status = statuses.judge_quality(definition, found.value, observed, terms_)  # any other figure: as judge
    if figure.status == statuses.EXCUSED and status in (statuses.AMBER, statuses.RED):
        status = statuses.EXCUSED
    sample = found.sample_size if found.sample_size is not None else (
        None if found.denominator is None else int(found.denominator))
    interval = statuses.interval_of(definition, observed)
    return replace(figure, value=found.value, status=status, numerator=found.numerator,
                   denominator=found.denominator, sample_size=sample,
                   interval=None if interval is None else [interval.low, interval.high])


# --- one figure's line ---------------------------------------------------------------------------

def _points(figure: FrozenFigure) -> Decimal:
    """How far the figure is from its target in points: positive a miss, negative a beat."""
    m = metric(figure.metric)
    scale = 100 if m.unit == "fraction" else 1
    value, target = statuses.exact(figure.value), statuses.exact(figure.target)  # type: ignore[arg-type]
    gap = target - value if m.direction == HIGHER else value - target
    return gap * scale


def _line(figure: FrozenFigure, original: FrozenFigure, rule: CreditRule | None, invoice_total: Decimal | None,
          accepted: tuple[Dispute, ...]) -> Line:
    base = Line(figure.metric, figure.label, figure.unit, figure.value, original.value, figure.target,
                figure.status, original.status, rule, NONE, "", None, None, ZERO, ZERO,
                tuple(d.dispute_id for d in accepted), figure.note)
    if any(d.span_start is None for d in accepted):
        return replace(base, status=statuses.EXCUSED, reason="set aside")
    if rule is None:
        return replace(base, reason="no rule")
    if figure.status not in (statuses.GREEN, statuses.AMBER, statuses.RED) or not isinstance(figure.target, (int, float)):
        return replace(base, reason=figure.status)
    points = _points(figure)
    if points > 0 and figure.status not in rule.counts.split(","):
        return replace(base, reason="not counted", points=points)
    if points > 0:
        outcome, rate = CREDIT, rule.miss_amount
    elif points < 0 and figure.status == statuses.GREEN and rule.beat_amount:
        outcome, rate, points = BONUS, rule.beat_amount, -points
    else:
        return replace(base, reason="met", points=-points if points < 0 else points)
    units = points if rule.per == "point" else Decimal(math.ceil(points / statuses.exact(rule.band_points)))
    scale = Decimal(1)
    if rule.kind == "share_of_invoice":
        if invoice_total is None:
            return replace(base, outcome=NONE, reason="no invoice", points=points, units=units)
        scale = invoice_total
    amount = money(units * statuses.exact(rate) * scale)
    due = amount if rule.figure_cap is None else min(amount, money(statuses.exact(rule.figure_cap) * scale))
    return replace(base, outcome=outcome, points=points, units=units, amount=amount, due=due)


# --- the month -----------------------------------------------------------------------------------

def _invoice(con: Connection, close: MonthClose) -> tuple[InvoiceCheck, ...]:
    rows = store.execute(con, closes.sql("invoice_lines"), {"partner_id": close.partner_id,
                                                            "month": close.month.start}).rows
    return tuple(InvoiceCheck(invoice, line, unit, quantity, price, close.units.get(unit, 0.0))
                 for invoice, line, unit, quantity, price in rows)


def settle(con: Connection, partner_id: int, month: Period) -> Settled | None:
    """The closed month's lines (None while the month is open)."""
    close = closes.get_close(con, partner_id, month)
    if close is None:
        return None
    terms_ = terms.latest(con, partner_id, month)
    rules = {r.metric: r for r in agreements.rules_of(con, terms_.agreement_id)}
    held = disputes.disputes(con, partner_id, month)
    invoice = _invoice(con, close)
    total = sum((c.amount for c in invoice), ZERO) if invoice else None
    lines = []
    for original in close.snapshot.figures:
        accepted = tuple(d for d in held if d.metric == original.metric and d.status == disputes.ACCEPTED)
        spans = [d for d in accepted if d.span_start is not None]
        figure = _without(original, close, spans, terms_) if spans else original
        lines.append(_line(figure, original, rules.get(original.metric), total, accepted))
    return Settled(close, terms_, tuple(lines), invoice, tuple(held))


def shifted(month: Period, months: int) -> Period:
    """The month `months` after (negative: before) `month`."""
    index = month.start.year * 12 + month.start.month - 1 + months
    return periods.month(date(index // 12, index % 12 + 1, 1))


def _earn_backs(con: Connection, partner_id: int, month: Period) -> tuple[EarnBack, ...]:
    """Credits of earlier months returned in this one: each figure met in every month since, all closed."""
    seen: dict[date, Settled | None] = {}

    def settled(m: Period) -> Settled | None:
        if m.start not in seen:
            seen[m.start] = settle(con, partner_id, m)
        return seen[m.start]

    found = []
    for back in range(1, agreements.EARN_BACK_MAX + 1):
        earlier = settled(shifted(month, -back))
        if earlier is None:
            continue
        for line in earlier.lines:
            if line.outcome != CREDIT or line.rule is None or line.rule.earn_back_months != back:
                continue
            after = [settled(shifted(month, -k)) for k in range(back - 1, -1, -1)]
            if earlier.total(CREDIT) and all(s is not None and (got := s.line(line.metric)) is not None
                                             and got.status == statuses.GREEN for s in after):
                share = earlier.due(CREDIT) / earlier.total(CREDIT)
                found.append(EarnBack(line.metric, line.label, earlier.close.month, money(line.due * share)))
    return tuple(found)


def record(con: Connection, partner_id: int, month: Period, partner_ids: tuple[int, ...] | None = None,
           current: Snapshot | None = None) -> Record:
    """The month's record; `current` (today's figures of the month, reports.frames.snapshot) shows
    what changed since the close. Refused outside the scope, and for a month not closed."""
    if partner_ids is not None and partner_id not in partner_ids:
        raise UserError(OUT_OF_SCOPE)
    name = registry.partner_name(con, partner_id)
    settled = settle(con, partner_id, month)
    if settled is None:
        raise UserError(_("{month} is not closed for {partner}: close it first (python -m cli credits close "
                          "--partner '{partner}' --month {month})").format(month=month.label, partner=name))
    differences = () if current is None else tuple(changed_only(compare(settled.close.snapshot, current)))
    return Record(partner_id, name, month, settled, _earn_backs(con, partner_id, month), differences)
