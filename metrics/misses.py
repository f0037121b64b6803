"""Where in the week a missed figure was lost: the Overview's one line per miss (issue 16).

A scorecard says that a partner missed its service level; a manager on Monday asks when. Read from
the partner's 15-minute interval counts inside its opening hours (metrics.measures.interval_sl_rows)
and its staffing (metrics.excusal.days), in the terms of the period's last day (the terms its value
is computed with):

- the *gap* of a set of intervals is what it fell short by, in legs: target x denominator -
  numerator for a minimum (service level), numerator - target x denominator for a maximum
  (abandon rate); summed counts, never averaged ratios;
- the weekdays named are the fewest, by gap, whose gaps make at least `SHARE` of the weekdays' gaps
  above zero, at most `MOST` of them; more than that and the miss is spread over the week;
- the hours named are the window of at most `WIDEST` consecutive hours of the day (local) that lost
  the most, when the loss is concentrated there: its share of the hours' positive gaps is at least
  `CONCENTRATED` times its share of the hours with legs (17-21 holding 41 % of the gap in 4 of 15
  hours); a miss spread over the day names no hours;
- staffed is logged-in / contracted agent-minutes over the named weekdays' days (all days when none
  is named); None without staffing data.

Only the figures counted per interval (service level in the agreed variant, abandon rate) have a
when; the rest of a miss line is its value against its target (reports/views.py words both).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from data.store import Connection
from metrics import excusal, measures, statuses
from metrics.definitions import HIGHER, SL_VARIANTS, Metric, metric
from partners import terms
from partners.periods import Period

SHARE = Decimal("0.6")
MOST = 3
WIDEST = 4
CONCENTRATED = Decimal("1.5")
# The figures with a when, and the agreement field each is judged against.
TIMED = {"service_level": "sl_target", "abandon_rate": "abandon_rate_max"}


@dataclass(frozen=True)
class When:
    """Where a missed figure lost most: weekdays (0 = Monday; empty: spread over the week), whether
    each named weekday came more than once in the period, an hour span [first, end) (None: all day
    or spread), and the staffing over those days (logged-in / contracted, None: no data)."""
    metric: str
    weekdays: tuple[int, ...]
    repeated: bool
    hours: tuple[int, int] | None
    staffed: Decimal | None


def when_missed(con: Connection, partner_id: int, period: Period, tz: str, names: Iterable[str]) -> dict[str, When]:
    """For each of `names` (missed figures of the partner's scorecard) that is counted per interval,
    where it was lost; a figure whose intervals show no gap (or no target) is left out."""
    wanted = [name for name in names if name in TIMED]
    if not wanted:
        return {}
    in_force = terms.latest(con, partner_id, period)
    rows = [r for r in measures.interval_sl_rows(con, period, tz, (partner_id,)) if r["partner_id"] == partner_id]
    inside = [r for r in rows if r["inside_hours"]]
    days = excusal.days(con, partner_id, period, tz, rows)
    found = {}
    for name in wanted:
        target = in_force.target(TIMED[name])
        judged = metric(SL_VARIANTS[in_force.sl_variant]) if name == "service_level" else metric(name)
        if target is None or _gap(inside, judged, target) <= 0:
            continue
        weekdays = _named(_gaps(inside, judged, target, lambda r: r["interval_local"].weekday()), MOST)
        hours = _span(_gaps(inside, judged, target, lambda r: r["interval_local"].hour))
        chosen = [d for d in days if not weekdays or d.day.weekday() in weekdays]
        repeated = len({d.day for d in days if d.day.weekday() in weekdays}) > len(weekdays)
        found[name] = When(name, weekdays, repeated, hours, _staffed(chosen))
    return found


def _gap(rows: Sequence[dict[str, Any]], judged: Metric, target: float) -> Decimal:
    """What the rows fell short of the target by, in legs (negative: they met it)."""
    counts = measures.ratio_of({k: sum(r[k] or 0 for r in rows) for k in excusal.COUNTS}, judged)
    if not counts.denominator:
        return Decimal(0)
    aimed = statuses.exact(target) * statuses.exact(counts.denominator)
    got = statuses.exact(counts.numerator)
    return aimed - got if judged.direction == HIGHER else got - aimed


def _gaps(rows: Sequence[dict[str, Any]], judged: Metric, target: float, key) -> dict[int, Decimal]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return {k: _gap(found, judged, target) for k, found in sorted(grouped.items())}


def _named(gaps: dict[int, Decimal], most: int) -> tuple[int, ...]:
    """The fewest keys, largest gap first, that hold SHARE of the positive gaps (in key order);
    empty when more than `most` are needed."""
    positive = sorted(((gap, k) for k, gap in gaps.items() if gap > 0), reverse=True)
    total, taken, chosen = sum(gap for gap, _ in positive), Decimal(0), []
    for gap, key in positive:
        chosen.append(key)
        taken += gap
        if taken >= SHARE * total:
            return tuple(sorted(chosen)) if len(chosen) <= most else ()
    return ()


def _span(gaps: dict[int, Decimal]) -> tuple[int, int] | None:
    """The window of up to WIDEST consecutive hours that lost the most, as [first, end), when it is
    concentrated: its share of the positive gaps at least CONCENTRATED x its share of the hours."""
    hours = sorted(gaps)
    total = sum(gap for gap in gaps.values() if gap > 0)
    best: tuple[Decimal, int, int] | None = None
    for i, first in enumerate(hours):
        for width in range(1, WIDEST + 1):
            window = hours[i:i + width]
            if window[-1] - first != len(window) - 1 or len(window) < width:
                break
            lost = sum(max(gaps[h], Decimal(0)) for h in window)
            if lost * len(hours) >= CONCENTRATED * total * len(window) and (best is None or lost > best[0]):
                best = (lost, first, window[-1] + 1)
    return None if best is None or total <= 0 else best[1:]


def _staffed(days: Sequence[excusal.Day]) -> Decimal | None:
    measured = [d for d in days if d.staffed is not None]
    if not measured:
        return None
    return statuses.exact(sum(d.logged_in_min for d in measured)) / statuses.exact(sum(d.contracted_min for d in measured))
