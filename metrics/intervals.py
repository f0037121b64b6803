"""95 % intervals for the quality figures and the test of whether a change between two periods is real.

A quality figure rests on a sample (9 evaluations, a dozen answers), so its point value alone is
noise as often as news. The methods (docs/metrics.md, "How sure a quality figure is"):
- a proportion (FCR, transfer-back rate, CSAT top-2, critical-error rate): the Wilson score interval
  (Wilson 1927), which stays inside 0..1 and behaves at 0 and n successes, unlike p +- z*se;
- a mean (QA score, CSAT mean): Student's t interval, mean +- t(0.975, n-1) * s / sqrt(n);
- NPS: the promoter/passive/detractor answers as +1/0/-1, whose variance is the trinomial
  (p + d) - (p - d)^2; NPS +- z * sqrt(variance / n), in points.
Every figure keeps the sums it needs (a count and successes, or a sum and a sum of squares), so an
interval over any range is computed from summed parts, never from averaged ones.

A change is real when the 95 % interval of the difference excludes 0: Newcombe's hybrid score
interval (Newcombe 1998, method 10) for proportions, Welch's t interval for means, and the normal
interval of the difference of two independent NPS (their variances added) for NPS.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.95
# scipy.stats.norm.ppf(0.5 + LEVEL / 2) written out: scipy.stats takes most of a second to load, and
# every command that touches metrics (an import's alert evaluation) would pay it (tests check the value).
Z = 1.959963984540054

WILSON, T_MEAN, TRINOMIAL = "wilson", "t", "trinomial"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Sample:
    """What an interval is computed from: n observations, their sum and the sum of their squares.

    A proportion's observations are 0 or 1 (sum = successes = sum of squares); an NPS answer is
    +1, 0 or -1 (sum = promoters - detractors, sum of squares = promoters + detractors)."""
    n: int
    total: float
    sum_squares: float

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        """The sample variance (n - 1 in the denominator); 0 for one observation."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.sum_squares - self.total * self.total / self.n) / (self.n - 1))


def wilson(successes: float, n: int) -> Interval:
    """The Wilson score interval of successes / n (no continuity correction)."""
    p = successes / n
    z2 = Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if successes <= 0 else max(0.0, centre - half)   # exact at the ends, whatever float rounding says
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return Interval(low, high)


def t_mean(mean: float, sd: float, n: int) -> Interval | None:
    """Student's t interval of a mean of n observations with sample standard deviation sd (None below 2)."""
    if n < 2:
        return None
    half = _t_quantile(n - 1) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half)


def nps(promoters: float, detractors: float, n: int) -> Interval:
    """NPS +- z * sqrt(((p + d) - (p - d)^2) / n), in points (-100..100): the trinomial variance."""
    p, d = promoters / n, detractors / n
    half = Z * math.sqrt(max(0.0, (p + d) - (p - d) ** 2) / n)
    score = p - d
    return Interval(max(-100.0, 100 * (score - half)), min(100.0, 100 * (score + half)))


def of(method: str, sample: Sample, bounds: tuple[float, float] | None = None) -> Interval | None:
    """The interval of a figure's sample by its method; None without observations (or one, for a mean).
    `bounds` clamp a mean's interval to what its scale allows (a QA score is 0..1, CSAT 1..5)."""
    if sample.n <= 0:
        return None
    if method == WILSON:
        return wilson(sample.total, sample.n)
    if method == TRINOMIAL:
        return nps((sample.total + sample.sum_squares) / 2, (sample.sum_squares - sample.total) / 2, sample.n)
    found = t_mean(sample.mean, math.sqrt(sample.variance), sample.n)
    if found is None or bounds is None:
        return found
    return Interval(max(bounds[0], found.low), min(bounds[1], found.high))


# --- is a change real? ---------------------------------------------------------------------------

def newcombe(successes1: float, n1: int, successes2: float, n2: int) -> Interval:
    """Newcombe's hybrid score interval of p1 - p2 (1998, method 10): from the two Wilson intervals."""
    p1, p2 = successes1 / n1, successes2 / n2
    a, b = wilson(successes1, n1), wilson(successes2, n2)
    delta = math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2)
    epsilon = math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2)
    return Interval(p1 - p2 - delta, p1 - p2 + epsilon)


def welch(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int) -> Interval | None:
    """Welch's t interval of mean1 - mean2 (unequal variances, Welch-Satterthwaite degrees of freedom)."""
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    difference = mean1 - mean2
    if v1 + v2 == 0:
        return Interval(difference, difference)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = _t_quantile(df) * math.sqrt(v1 + v2)
    return Interval(difference - half, difference + half)


def nps_difference(first: Sample, second: Sample) -> Interval:
    """NPS1 - NPS2 +- z * sqrt(var1 / n1 + var2 / n2), in points, each variance the trinomial one."""
    def variance(s: Sample) -> float:
        return max(0.0, s.sum_squares / s.n - (s.total / s.n) ** 2)
    difference = first.total / first.n - second.total / second.n
    half = Z * math.sqrt(variance(first) / first.n + variance(second) / second.n)
    return Interval(100 * (difference - half), 100 * (difference + half))


def difference(method: str, now: Sample, before: Sample) -> Interval | None:
    """The 95 % interval of now - before by the figure's method; None when either has too little data."""
    if now.n <= 0 or before.n <= 0:
        return None
    if method == WILSON:
        return newcombe(now.total, now.n, before.total, before.n)
    if method == TRINOMIAL:
        return nps_difference(now, before)
    return welch(now.mean, math.sqrt(now.variance), now.n, before.mean, math.sqrt(before.variance), before.n)


def real_change(method: str, now: Sample | None, before: Sample | None) -> bool | None:
    """True when the change is significant at the 95 % level, False when within noise, None when
    either period has too little data to say."""
    if now is None or before is None:
        return None
    found = difference(method, now, before)
    return None if found is None else not found.contains(0.0)


def _t_quantile(degrees_of_freedom: float) -> float:
    """Student's t quantile for the interval's LEVEL; scipy.stats is loaded on the first use, not with
    the module."""
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, degrees_of_freedom))
