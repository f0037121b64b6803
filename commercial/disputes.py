"""Disputes: a partner questions one figure of a closed month, whole or over a span of intervals.

The partner raises it with a reason ("IVR down 10:00-10:45"); the centre accepts or rejects it with
a note. An accepted dispute of a span takes the 15-minute intervals that overlap it out of the
frozen counts of that one figure; an accepted dispute of a whole figure sets that figure aside (it
costs and earns nothing that month). commercial.record applies them; every step is in the audit log.
A partner user raises disputes of its own partner only and decides none.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from commercial import closes
from data import audit, store
from data.errors import UserError
from data.i18n import _
from data.store import Connection
from metrics.definitions import metric
from partners import periods, registry
from partners.access import OUT_OF_SCOPE, Scope, scope_sql
from partners.periods import Period

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
DECISIONS = (ACCEPTED, REJECTED)
INTERVAL = timedelta(minutes=15)
# The figure a span can be taken out of: those computed from the frozen 15-minute counts.
INTERVAL_COLUMNS = ("offered", "answered", "abandoned", "overflowed", "short_abandoned", "answered_within_threshold",
                    "abandoned_within_threshold", "handle_s", "turned_away_inside_hours")


def spannable(name: str) -> bool:
    """Whether a span of intervals can be taken out of figure `name` (its counts are the frozen
    intervals'): service level, abandon rate, AHT and interval attainment, not a quantile or quality."""
    if name in ("service_level", "interval_sl_attainment"):
        return True
    m = metric(name)
    tokens = f"{m.numerator or ''} {m.denominator or ''}".replace("+", " ").replace("-", " ").split()
    return m.from_rollups and m.denominator is not None and all(t in INTERVAL_COLUMNS for t in tokens)


@dataclass(frozen=True)
class Dispute:
    dispute_id: int
    partner_id: int
    month: Period
    metric: str
    span_start: datetime | None  # UTC, naive
    span_end: datetime | None
    reason: str
    raised_by: str
    raised_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    def covers(self, interval_utc: datetime) -> bool:
        """Whether the 15-minute interval starting at `interval_utc` (UTC, naive) overlaps the span."""
        if self.span_start is None or self.span_end is None:
            return True
        return interval_utc < self.span_end and interval_utc + INTERVAL > self.span_start


_COLUMNS = ("dispute_id, partner_id, month, metric, timezone('UTC', span_start), timezone('UTC', span_end), reason, "
            "raised_by, timezone('UTC', raised_at), status, decided_by, timezone('UTC', decided_at), decision_note")


def _dispute(row: tuple) -> Dispute:
    return Dispute(row[0], row[1], periods.month(row[2]), *row[3:])


def disputes(con: Connection, partner_id: int, month: Period,
             partner_ids: tuple[int, ...] | None = None) -> list[Dispute]:
    """The month's disputes of one partner, oldest first; outside the scope: refused."""
    if partner_ids is not None and partner_id not in partner_ids:
        raise UserError(OUT_OF_SCOPE)
    params: dict[str, Any] = {"p": partner_id, "m": month.start}
    rows = store.execute(con, f"SELECT {_COLUMNS} FROM disputes WHERE partner_id = $p AND month = $m"
                         f"{scope_sql('partner_id', partner_ids, params)} ORDER BY dispute_id", params).rows
    return [_dispute(r) for r in rows]


def get_dispute(con: Connection, dispute_id: int, partner_ids: tuple[int, ...] | None = None) -> Dispute:
    """One dispute; another partner's is "there is no dispute N", as a guessed meeting id is."""
    params: dict[str, Any] = {"d": dispute_id}
    row = store.execute(con, f"SELECT {_COLUMNS} FROM disputes WHERE dispute_id = $d"
                        f"{scope_sql('partner_id', partner_ids, params)}", params).one()
    if row is None:
        raise UserError(_("there is no dispute {dispute}").format(dispute=dispute_id))
    return _dispute(row)


def raise_dispute(con: Connection, scope: Scope, partner_id: int, month: Period, metric_name: str, reason: str,
                  span: tuple[datetime, datetime] | None = None) -> int:
    """Record a dispute of one figure of a closed month (a span: UTC instants, start before end)."""
    if not scope.allows(partner_id) or partner_id is None:
        raise UserError(OUT_OF_SCOPE)
    name = registry.partner_name(con, partner_id)
    close = closes.get_close(con, partner_id, month)
    if close is None:
        raise UserError(_("{month} is not closed for {partner}: only the figures of a closed month are disputed").format(
            month=month.label, partner=name))
    shown = {f.metric: f for f in close.snapshot.figures}
    if metric_name not in shown:
        raise UserError(_("'{figure}' is not a figure of {partner}'s {month}; choose one of {choices}").format(
            figure=metric_name, partner=name, month=month.label, choices=", ".join(shown)))
    if not reason.strip():
        raise UserError(_("a dispute needs a reason (what happened, e.g. 'IVR down 10:00-10:45')"))
    if span is not None:
        start, end = (s.astimezone(timezone.utc).replace(tzinfo=None) if s.tzinfo else s for s in span)
        if not spannable(metric_name):
            raise UserError(_("a span of intervals cannot be taken out of {figure}: dispute the whole figure, or a span of "
                              "service level, abandon rate, AHT or interval attainment").format(
                figure=_(metric(metric_name).label)))
        if end <= start:
            raise UserError(_("the span's end must be after its start"))
        first, last = month.utc_bounds(close.snapshot.time_zone)
        if start < first.replace(tzinfo=None) or end > last.replace(tzinfo=None):
            raise UserError(_("the span lies outside {month}").format(month=month.label))
        span = (start, end)
    dispute_id = store.execute(
        con, "INSERT INTO disputes (partner_id, month, metric, span_start, span_end, reason, raised_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING dispute_id",
        [partner_id, month.start, metric_name, *(span or (None, None)), reason.strip(), scope.email],
        what="save the dispute",
    ).scalar()
    audit.record(con, scope.email, "dispute raised",
                 f"dispute {dispute_id}: {name} {month.label} {shown[metric_name].label}"
                 f"{_span_words(span)}: {reason.strip()}")
    return dispute_id


def decide(con: Connection, scope: Scope, dispute_id: int, decision: str, note: str) -> Dispute:
    """Accept or reject an open dispute with a note; the centre's to do, never the partner's."""
    if not scope.takes_minutes:
        raise UserError(_("only the centre accepts or rejects a dispute"))
    if decision not in DECISIONS:
        raise UserError(_("a dispute is accepted or rejected, not '{decision}'").format(decision=decision))
    found = get_dispute(con, dispute_id, scope.partner_ids)
    if found.status != OPEN:
        raise UserError(_("dispute {dispute} is already {status} (by {person})").format(
            dispute=dispute_id, status=found.status, person=found.decided_by))
    if not note.strip():
        raise UserError(_("say why the dispute is {decision}: the partner reads the note").format(decision=decision))
    store.execute(con, "UPDATE disputes SET status = ?, decided_by = ?, decided_at = now(), decision_note = ? "
                  "WHERE dispute_id = ?", [decision, scope.email, note.strip(), dispute_id], what="decide the dispute")
    audit.record(con, scope.email, f"dispute {decision}",
                 f"dispute {dispute_id}: {registry.partner_name(con, found.partner_id)} {found.month.label} "
                 f"{found.metric}: {note.strip()}")
    return get_dispute(con, dispute_id)


def _span_words(span: tuple[datetime, datetime] | None) -> str:
    return "" if span is None else f" from {span[0]:%Y-%m-%d %H:%M} to {span[1]:%Y-%m-%d %H:%M} UTC"


def local_span(first: str, last: str, tz: str) -> tuple[datetime, datetime]:
    """A span written in the reporting zone ('2026-10-13 10:00' to '2026-10-13 10:45') as UTC instants."""
    zone = periods.zone(tz)
    found = []
    for text in (first, last):
        try:
            local = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UserError(_("'{text}' is not a time: write it as 2026-10-13 10:00").format(text=text)) from None
        found.append(local.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None))
    return found[0], found[1]
