"""Shortfalls against an agreement's absolute volume minimums: the centre's side of the guarantee.

An agreement version may set a minimum of calls and of agent-hours, a week and a month
(partners.agreements.MINIMUMS). The minimum of a span of days (`minimum`): the week's minimum for a
whole ISO week, the month's for a whole calendar month; any other span (a day, a range, the part of
a period one agreement version covers) is prorated by its days: the week's minimum x days / 7 when
the version sets one, else the month's minimum x days / days of that month, day by day. The
shortfall is max(0, minimum - what was sent): calls routed to the partner (metrics/sql/details.sql
`call_volume`) or agent-hours logged in (staffing minutes / 60). The accumulated shortfall sums the
weekly shortfalls from the valid_from of the first version with a minimum of that kind to the end
of the period, each ISO week (cut at that valid_from and at the period's end) judged by the terms
of its last day, as a weekly trend point is. See docs/metrics.md.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from data.store import Connection
from metrics import measures, statuses
from metrics.measures import Measure
from partners import agreements, periods, terms
from partners.periods import Period
from partners.terms import Terms


@dataclass(frozen=True)
class Kind:
    """One kind of minimum: its agreement fields, the figures it gives and what measures it (the
    part of measures.weekly that reads what was sent)."""
    week_field: str
    month_field: str
    shortfall: str
    accumulated: str
    part: str


CALLS = Kind("calls_week_min", "calls_month_min", "calls_shortfall", "calls_shortfall_accumulated", "calls")
AGENT_HOURS = Kind("agent_hours_week_min", "agent_hours_month_min", "agent_hours_shortfall",
                   "agent_hours_shortfall_accumulated", "staffing")
KINDS = (CALLS, AGENT_HOURS)


def minimum(terms_: Terms, kind: Kind, start: date, end: date) -> float | None:
    """The minimum for the local days [start, end) under `terms_`, None when they set none of `kind`."""
    week, month = terms_.target(kind.week_field), terms_.target(kind.month_field)
    if month is not None and start.day == 1 and end == _next_month(start):
        return float(month)
    if week is not None:
        return float(week) if start.isoweekday() == 1 and end == start + timedelta(days=7) else week * (end - start).days / 7
    if month is not None:
        return sum(month / calendar.monthrange(day.year, day.month)[1] for day in _days(start, end))
    return None


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


def sent(found: dict[str, Measure], kind: Kind) -> float | None:
    """What the centre sent, from a partner's measures: calls routed, or agent-hours logged in (None
    without staffing rows: hours nobody reported are not 0 hours)."""
    if kind is CALLS:
        return found.get("calls_routed", Measure(0)).value or 0
    logged_in = found.get("staffed_vs_contracted", Measure(None)).numerator
    return None if logged_in is None else logged_in / 60


def shortfall(found: dict[str, Measure], kind: Kind, terms_: Terms, start: date, end: date) -> Measure:
    """max(0, minimum - sent) over [start, end): numerator what was sent, denominator the minimum."""
    least, actual = minimum(terms_, kind, start, end), sent(found, kind)
    if least is None or actual is None:
        return Measure(None, actual, least)
    return Measure(max(0.0, least - actual), actual, least)


def shortfalls(con: Connection, partner_id: int | None, period: Period, tz: str, terms_: Terms,
               found: dict[str, Measure]) -> dict[str, Measure]:
    """The period's shortfall of each kind (from `found`, the partner's measures over `period`) and
    the accumulated shortfall up to the period's end."""
    out = {kind.shortfall: shortfall(found, kind, terms_, period.start, period.end) for kind in KINDS}
    if partner_id is not None:
        out.update(accumulated(con, partner_id, period.end, tz))
    return out


def accumulated(con: Connection, partner_id: int, until: date, tz: str) -> dict[str, Measure]:
    """The weekly shortfalls of each kind summed from its first minimum's valid_from to `until` (exclusive)."""
    out = {}
    for kind in KINDS:
        starts = [a.valid_from for a in agreements.history(con, partner_id)
                  if getattr(a, kind.week_field) is not None or getattr(a, kind.month_field) is not None]
        first = min(starts, default=None)
        out[kind.accumulated] = Measure(None) if first is None or first >= until else _summed(
            con, partner_id, kind, first, until, tz)
    return out


def _summed(con: Connection, partner_id: int, kind: Kind, first: date, until: date, tz: str) -> Measure:
    """The weekly shortfalls summed over [first, until). Where `until` and the end of its `together`
    group are Mondays (weekly periods), the weeks are read up to the group's end, one statement for
    the period and the one before, and those from `until` on are left out: a whole week reads the
    same whatever the weeks read beside it."""
    reach = measures.reach(until)
    if until.weekday() or reach.weekday():
        reach = until
    read = [Period(max(w.start, first), min(w.end, reach), "range", w.label) for w in _weeks(first, reach)]
    found = measures.weekly(con, read, tz, fcr_days=terms.defaults(con).fcr_days, partner_ids=(partner_id,),
                            only=(kind.part,))
    weeks = [w for w in read if w.start < until]
    in_force = terms.by_day(con, partner_id, [w.end - timedelta(days=1) for w in weeks])
    total, sent_total, least_total = 0.0, 0.0, 0.0
    for week in weeks:
        monday = week.start - timedelta(days=week.start.weekday())
        part = shortfall(found.get((monday, partner_id), {}), kind, in_force[week.end - timedelta(days=1)],
                         week.start, week.end)
        if part.value is not None:
            total, sent_total, least_total = total + part.value, sent_total + part.numerator, least_total + part.denominator
    return Measure(total, sent_total, least_total)


def _weeks(first: date, until: date) -> list[Period]:
    """The ISO weeks touching [first, until)."""
    found, week = [], periods.week(first)
    while week.start < until:
        found.append(week)
        week = periods.week(week.end)
    return found


def judged(value: float | None, terms_: Terms, name: str) -> tuple[float | None, str]:
    """(target, status) of a shortfall figure: met at 0 and missed above it, against a target of 0 when
    the terms set a minimum of its kind (else no target)."""
    kind = next(k for k in KINDS if name in (k.shortfall, k.accumulated))
    if terms_.target(kind.week_field) is None and terms_.target(kind.month_field) is None:
        return None, statuses.NO_DATA if value is None else statuses.NO_TARGET
    if value is None:
        return 0.0, statuses.NO_DATA
    return 0.0, statuses.GREEN if value <= 0 else statuses.RED
