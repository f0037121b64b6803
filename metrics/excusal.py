"""Whether a service-level miss is excused: the one rule the scorecard tiles, their parts and the
weekly forecast chart (the meeting's excused weeks) all ask (docs/metrics.md, "Excused").

A contract excuses a partner's service-level miss when the centre sent more than it forecast, but
only on the days it did so and only if the partner was staffed as contracted on them: a surge on
Monday does not excuse a Thursday, and a partner short of agents is not excused by a surge.

Judged per local day of the reporting zone. A day is an *excusing day* when
- the centre sent more than that day's forecast plus the tolerance: legs offered that day >
  the week's forecast / 7 x (1 + `forecast_tolerance`), as the forecast figure prorates a weekly
  forecast by days (compared as 7 x legs > forecast x (1 + tolerance), exact decimals), and
- the partner's logged-in agent-minutes that day were at least `staffed_floor` x its contracted
  agent-minutes (no staffing rows, or none contracted, is no staffing data: not excusing).
A missed (amber or red) service level is excused when the service level over the other days, the
excusing days left out, meets the target (in the terms' variant, counts summed, never averaged);
with no legs left on the other days it is excused too. `Excusal.note` says why in words.
"""
from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from data import i18n, store
from data.i18n import _
from data.store import Connection
from metrics import aggregate, measures, statuses
from metrics.definitions import SL_VARIANTS, metric
from metrics.measures import Measure
from metrics.sqlfiles import sql
from partners import periods
from partners.periods import Period
from partners.terms import Terms

DAYS_NAMED = 3  # a note names at most this many days, then says how many more

# The rollup counts a day sums: those every service-level variant reads, and the legs sent.
COUNTS = ("offered", *sorted({token for variant in SL_VARIANTS.values()
                             for side in (metric(variant).numerator, metric(variant).denominator)
                             for token in side.split() if token not in "+-"}))
_counts_of = operator.itemgetter(*COUNTS)


@dataclass(frozen=True)
class Day:
    """One local day of a partner: its summed service-level counts (`COUNTS`), the legs forecast
    for its ISO week, and its staffing in agent-minutes (None: no forecast, no staffing rows)."""
    day: date
    counts: dict[str, float]
    week_forecast: float | None
    logged_in_min: float | None
    contracted_min: float | None

    @property
    def staffed(self) -> Decimal | None:
        """Logged-in / contracted agent-minutes as an exact decimal; None without staffing data."""
        if self.contracted_min is None or self.logged_in_min is None or not self.contracted_min:
            return None
        return statuses.exact(self.logged_in_min) / statuses.exact(self.contracted_min)


@dataclass(frozen=True)
class Excusal:
    """Whether a miss is excused, and the reason in words ('' when there is nothing to say: the
    target was met, or no day was above forecast)."""
    excused: bool
    note: str = ""


NOTHING = Excusal(False)


def days(con: Connection, partner_id: int, period: Period, tz: str,
         interval_rows: Sequence[dict[str, Any]] | None = None) -> list[Day]:
    """The partner's days with legs in `period`, with their forecast and staffing. `interval_rows`
    are the partner's rows of the interval_sl statement over the period when the caller has them;
    without them the days' counts are the rollups summed per local day (the same sums, without
    reading and judging every interval: 13 weeks of a forecast chart are 9,000 intervals)."""
    counts = _day_counts(con, partner_id, period, tz) if interval_rows is None else _summed_by_day(interval_rows)
    group = measures.group_span(period)
    forecast = {week: legs for week, legs in weekly_forecasts(con, partner_id, group.start, group.end)
                if week >= periods.week(period.start).start and week < period.end}
    staffing = {row["local_day"]: row for row in measures.day_rows(con, "staffing_days", period, tz, (partner_id,))
                if row["partner_id"] == partner_id}
    return [Day(day, found, forecast.get(periods.week(day).start),
                staffing.get(day, {}).get("logged_in_min"), staffing.get(day, {}).get("contracted_min"))
            for day, found in sorted(counts.items())]


def weekly_forecasts(con: Connection, partner_id: int, start: date, end: date) -> list[tuple[date, float]]:
    """(week_start, legs) of the partner's forecasts for the ISO weeks touching the days [start, end),
    oldest first. Every partner's every week is read once per read-only connection (a row per partner
    and week: a few hundred rows) and cut here: the scorecard's excused days (its period and the one
    before) and its forecast chart (the trend's weeks) asked for two ranges, the Overview's partners
    for theirs, each a statement."""
    first = periods.week(start).start
    rows = store.remembered(con, ("weekly forecasts",),
                            lambda: store.execute(con, sql("views", "weekly_forecasts")).rows)
    return [(week, legs) for partner, week, legs in rows if partner == partner_id and first <= week < end]


def _summed_by_day(rows: Sequence[dict[str, Any]]) -> dict[date, dict[str, float]]:
    """`COUNTS` of interval rows summed per local day."""
    by_day: dict[date, list[tuple[Any, ...]]] = {}
    for row in rows:  # a row's counts taken in one C call, summed per column below
        by_day.setdefault(row["local_day"], []).append(_counts_of(row))
    return {day: {name: sum(filter(None, column)) for name, column in zip(COUNTS, zip(*found))}
            for day, found in by_day.items()}


def _day_counts(con: Connection, partner_id: int, period: Period, tz: str) -> dict[date, dict[str, float]]:
    """`COUNTS` of the partner's days with legs in `period`, from the rollups at the grain of a day."""
    start, end = period.utc_bounds(tz)
    rows = aggregate.rollup_rows(con, tz=tz, grain="day", by="partner", start=start, end=end, partner_ids=(partner_id,))
    return {row["period_start"].date(): {name: row[name] or 0 for name in COUNTS}
            for row in rows if row["partner_id"] == partner_id}


def decide(found: Sequence[Day], terms: Terms) -> Excusal:
    """Whether the service level of `found` (a period's or a part's days) missed its target under
    `terms` and that miss is excused by its excusing days; the note says why, or why not."""
    judged = metric(SL_VARIANTS[terms.sl_variant])
    if statuses.judge(judged, _service_level(found, terms).value, terms) not in (statuses.AMBER, statuses.RED):
        return NOTHING
    surges = [d for d in found if _surge(d, terms)]
    if not surges:
        return NOTHING
    excusing = [d for d in surges if _staffed(d, terms)]
    rest = _service_level([d for d in found if d not in excusing], terms).value
    if rest is None or statuses.judge(judged, rest, terms) == statuses.GREEN:
        return Excusal(True, _("excused: above forecast + {tolerance} and staffed at least {floor} of contract on "
                               "{days}").format(tolerance=_percent(terms.forecast_tolerance),
                                                floor=_percent(terms.staffed_floor), days=_days(excusing)))
    without_surges = _service_level([d for d in found if d not in surges], terms).value
    if without_surges is None or statuses.judge(judged, without_surges, terms) == statuses.GREEN:
        return Excusal(False, _("not excused: {reasons}").format(
            reasons=_short_staffed([d for d in surges if d not in excusing], terms)))
    return Excusal(False, _("not excused: {value} on the days not excused, target {target}").format(
        value=_percent(rest), target=_percent(terms.target("sl_target"))))


def _service_level(found: Sequence[Day], terms: Terms) -> Measure:
    """The service level of the days' summed counts in the terms' variant."""
    total = {name: sum(d.counts[name] for d in found) for name in COUNTS}
    return measures.service_level_of(total, terms.sl_variant)


def _surge(day: Day, terms: Terms) -> bool:
    """The centre sent more than the day's share of the week's forecast plus the tolerance."""
    if day.week_forecast is None:
        return False
    exact = statuses.exact
    return exact(day.counts["offered"]) * 7 > exact(day.week_forecast) * (1 + exact(terms.forecast_tolerance))


def _staffed(day: Day, terms: Terms) -> bool:
    return day.staffed is not None and day.staffed >= statuses.exact(terms.staffed_floor)


def _short_staffed(short: Sequence[Day], terms: Terms) -> str:
    """Why the surge days did not excuse: each one's staffing against the floor, or no staffing data."""
    reasons = []
    measured = [d for d in short if d.staffed is not None]
    if measured:
        said = [(_("{share} of contract on {day}") if i == 0 else _("{share} on {day}")).format(
            share=_percent(d.staffed), day=_day(d.day)) for i, d in enumerate(measured[:DAYS_NAMED])]
        days = ", ".join(said)
        if len(measured) > DAYS_NAMED:
            days = _("{days} and {count} more days").format(days=days, count=i18n.number(len(measured) - DAYS_NAMED))
        reasons.append(_("staffed {days} (floor {floor})").format(days=days, floor=_percent(terms.staffed_floor)))
    unmeasured = [d for d in short if d.staffed is None]
    if unmeasured:
        reasons.append(_("no staffing data on {days}").format(days=_days(unmeasured)))
    return "; ".join(reasons)


def _percent(value: float | Decimal) -> str:
    """A fraction as a percentage cut (not rounded) to one decimal, so a value below a floor or a
    target never reads as reaching it: 0.86 -> 86 %, 0.9496 -> 94.9 %."""
    shown = (Decimal(repr(value)) if isinstance(value, float) else value) * 100
    cut = shown.quantize(Decimal("0.1"), rounding=ROUND_DOWN).normalize()
    return i18n.number(float(cut), max(0, -cut.as_tuple().exponent), grouped=False) + i18n.percent_sign()


def _day(day: date) -> str:
    return f"{i18n.weekday(day.isoweekday(), short=True)} {periods.day_text(day)}"


def _days(found: Sequence[Day]) -> str:
    said = ", ".join(_day(d.day) for d in found[:DAYS_NAMED])
    if len(found) > DAYS_NAMED:
        return _("{days} and {count} more days").format(days=said, count=i18n.number(len(found) - DAYS_NAMED))
    return said


def inside(found: Sequence[Day], period: Period) -> list[Day]:
    """The days of `found` inside `period` (a week of a longer read)."""
    return [d for d in found if period.start <= d.day < period.end]

