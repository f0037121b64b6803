"""A metric's status against one agreement version: green, amber, red, no data, no target, excused,
provisional (a repeat-based figure whose follow-up window reaches past the held data), or unsure
("can't tell yet": a quality figure whose 95 % interval holds the target, or whose sample is below the
agreement's minimum; `judge_quality`).

Amber means the value misses the target by less than the agreement's amber_tolerance. The tolerance
is in the metric's own terms: percentage points for fractions (0.05 = 5 points), points x 100 for
NPS, and a share of the target for seconds (0.05 = 5 % above the ASA maximum) and for a band's
bounds (0.05 x a 5 % minimum = 0.25 points), so the amber zone of a narrow band is narrow: a partner
that got a fifth of its minimum share has missed it, not come near. The miss and the
tolerance are compared as exact decimals of the numbers as written (0.8 - 0.75 is exactly 0.05), so a
miss of exactly the tolerance is red whatever float rounding would say.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from data.i18n import N_, _
from metrics import intervals
from metrics.definitions import BAND, HIGHER, LOWER, Metric
from metrics.intervals import Interval, Sample
from partners.agreements import POINT
from partners.terms import Terms

GREEN, AMBER, RED, NO_DATA, NO_TARGET, EXCUSED = "green", "amber", "red", "no data", "no target", "excused"
PROVISIONAL = "provisional"
UNSURE = "unsure"
STATUSES = (GREEN, AMBER, RED, NO_DATA, NO_TARGET, EXCUSED, PROVISIONAL, UNSURE)
# In English, marked for the catalogs: `text` gives them in the reader's language.
ICONS = {GREEN: N_("✔ met"), AMBER: N_("▲ near"), RED: N_("✖ missed"), NO_DATA: N_("– no data"),
         NO_TARGET: N_("· no target"), EXCUSED: N_("◆ excused"), PROVISIONAL: N_("◷ provisional"),
         UNSURE: N_("≈ can't tell yet")}
# The worst part decides a figure judged in several parts; a provisional part makes the whole
# figure provisional, since its value is not final either. A part that can't tell yet is worse than
# a met one (the period is not known to be met) and better than a miss.
SEVERITY = {PROVISIONAL: 7, RED: 6, AMBER: 5, UNSURE: 4, EXCUSED: 3, GREEN: 2, NO_TARGET: 1, NO_DATA: 0}


def text(status: str, provisional_until: date | str | None = None) -> str:
    """The status as icon and word in the reader's language (never colour alone); a provisional one
    says until when (the ISO day, as stored with a frozen figure)."""
    if status == PROVISIONAL and provisional_until:
        day = provisional_until.isoformat() if isinstance(provisional_until, date) else provisional_until
        return _("◷ provisional until {day}").format(day=day)
    return _(ICONS[status]) if status in ICONS else status


def provisional_until(period_end: date, days: int, data_end: date | None) -> date | None:
    """The day a repeat-based figure (FCR within `days` days) becomes final, or None when it is final.

    A call answered on the period's last day is resolved only if its customer does not call again
    in the next `days` days, so the figure is final once the held call data reaches the day
    last day + `days` (the newest leg's reporting-zone day counts as held). Before that a repeat may
    still come and the figure can only fall. `period_end` is exclusive, so the answer is the day
    after the window closes: W47 (16-22 Nov) with 7 days is provisional until 30 Nov.
    """
    if data_end is None:
        return None
    last_day = period_end - timedelta(days=1)
    return period_end + timedelta(days=days) if last_day + timedelta(days=days) > data_end else None


def target_of(m: Metric, terms: Terms) -> float | tuple[float | None, float | None] | None:
    """The agreed target (a (min, max) pair for a band) or None."""
    if m.target is None:
        return None
    if m.direction == BAND:
        low, high = (terms.target(name) for name in m.target.split(".."))
        return None if low is None and high is None else (low, high)
    return terms.target(m.target)


def exact(value: float | int) -> Decimal:
    """A number as the decimal it is written as (repr's shortest form), not its binary float."""
    return Decimal(repr(float(value)))


def tolerance(m: Metric, target: float, terms: Terms) -> Decimal:
    if m.unit == "seconds":
        return exact(terms.amber_tolerance) * exact(target)
    if m.unit == "points":
        return exact(terms.amber_tolerance) * 100
    return exact(terms.amber_tolerance)


def _band_miss(band: tuple[float | None, float | None], value: float,
               terms: Terms) -> tuple[Decimal, Decimal]:
    """How far `value` lies outside the band and the amber tolerance for the bound it misses (a share
    of that bound); (0, 0) inside it."""
    low, high = band
    if low is not None and exact(value) < exact(low):
        return exact(low) - exact(value), exact(terms.amber_tolerance) * exact(low)
    if high is not None and exact(value) > exact(high):
        return exact(value) - exact(high), exact(terms.amber_tolerance) * exact(high)
    return Decimal(0), Decimal(0)


def judge(m: Metric, value: float | None, terms: Terms) -> str:
    """The status of `value` for metric `m` under `terms` (excusal is decided by the caller)."""
    target = target_of(m, terms)
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    if m.direction == BAND:
        miss, tol = _band_miss(target, value, terms)
    elif m.direction == HIGHER:
        miss, tol = exact(target) - exact(value), tolerance(m, target, terms)
    elif m.direction == LOWER:
        miss, tol = exact(value) - exact(target), tolerance(m, target, terms)
    else:
        return NO_TARGET
    if miss <= 0:
        return GREEN
    return AMBER if miss < tol else RED


def sample_of(m: Metric, numerator: float | None, denominator: float | None,
              sum_squares: float | None) -> Sample | None:
    """A quality figure's observations as metrics.intervals reads them (None for other figures or no data).
    A proportion's successes are its own sum of squares (each observation is 0 or 1)."""
    if m.interval is None or numerator is None or not denominator:
        return None
    return Sample(int(denominator), float(numerator),
                  float(numerator if sum_squares is None or m.interval == intervals.WILSON else sum_squares))


def interval_of(m: Metric, sample: Sample | None) -> Interval | None:
    """The figure's 95 % interval in its own unit (NPS in points)."""
    return None if sample is None else intervals.of(m.interval, sample, m.bounds)


def judge_quality(m: Metric, value: float | None, sample: Sample | None, terms: Terms) -> str:
    """A quality figure's status on its evidence: met when its whole interval is on the right side of
    the target (at or above a minimum, at or below a maximum), missed when it is wholly beyond it,
    can't tell yet when the interval holds the target or the sample is below the agreement's minimum.
    An agreement that chose point judgement (and a figure without a minimum) is judged as `judge`."""
    if m.min_n is None or terms.quality_judgement == POINT or value is None:
        return judge(m, value, terms)
    target = target_of(m, terms)
    if target is None:
        return NO_TARGET
    interval = interval_of(m, sample)
    if sample is None or interval is None or sample.n < terms.min_n(m.min_n):
        return UNSURE
    lower_is_better = m.direction == LOWER
    if (interval.high <= target) if lower_is_better else (interval.low >= target):
        return GREEN
    if (interval.low > target) if lower_is_better else (interval.high < target):
        return RED
    return UNSURE


def worst(statuses: list[str]) -> str:
    return max(statuses, key=SEVERITY.__getitem__) if statuses else NO_DATA
