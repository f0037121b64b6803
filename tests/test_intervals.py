"""The 95 % intervals and the "real change" test against published worked examples (the source of each
is named beside it), and properties every interval must have whatever the sample."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from metrics import intervals
from metrics.intervals import TRINOMIAL, T_MEAN, WILSON, Sample

# Newcombe R.G. (1998) "Two-sided confidence intervals for the single proportion: comparison of seven
# methods", Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no continuity correction).
WILSON_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]
# Newcombe R.G. (1998) "Interval estimation for the difference between independent proportions:
# comparison of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10.
NEWCOMBE_1998 = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
]


@pytest.mark.parametrize(("successes", "n", "low", "high"), WILSON_1998)
def test_wilson_matches_newcombe_table_one(successes, n, low, high):
    found = intervals.wilson(successes, n)
    assert (round(found.low, 4), round(found.high, 4)) == (low, high)


@pytest.mark.parametrize(("s1", "n1", "s2", "n2", "low", "high"), NEWCOMBE_1998)
def test_difference_of_proportions_matches_newcombe_table_two(s1, n1, s2, n2, low, high):
    found = intervals.newcombe(s1, n1, s2, n2)
    assert (round(found.low, 4), round(found.high, 4)) == (low, high)


# NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.5.2 "Confidence limits for the mean": ZARR13.DAT,
# N = 195, mean 9.261460, s = 0.022789, 95 % limits 9.258242 and 9.264679. The others: mean +- t * s / sqrt(n)
# worked by hand with the critical values of the e-Handbook's t table (1.3.6.7.2): t(0.975; 9) = 2.262,
# t(0.975; 4) = 2.776, t(0.975; 29) = 2.045, t(0.975; 1) = 12.706.
T_EXAMPLES = [
    (9.261460, 0.022789, 195, 9.258242, 9.264679, 1e-5),
    (0.80, 0.10, 10, 0.80 - 2.262 * 0.10 / math.sqrt(10), 0.80 + 2.262 * 0.10 / math.sqrt(10), 1e-3),
    (4.2, 0.8, 5, 4.2 - 2.776 * 0.8 / math.sqrt(5), 4.2 + 2.776 * 0.8 / math.sqrt(5), 1e-3),
    (0.71, 0.25, 30, 0.71 - 2.045 * 0.25 / math.sqrt(30), 0.71 + 2.045 * 0.25 / math.sqrt(30), 1e-3),
    (0.5, 0.2, 2, 0.5 - 12.706 * 0.2 / math.sqrt(2), 0.5 + 12.706 * 0.2 / math.sqrt(2), 1e-3),
]


@pytest.mark.parametrize(("mean", "sd", "n", "low", "high", "tolerance"), T_EXAMPLES)
def test_t_interval_matches_nist_and_the_t_table(mean, sd, n, low, high, tolerance):
    found = intervals.t_mean(mean, sd, n)
    assert found.low == pytest.approx(low, abs=tolerance)
    assert found.high == pytest.approx(high, abs=tolerance)


def test_welch_matches_nist_two_sample_t_test():
    # NIST e-Handbook 1.3.5.3 (AUTO83B.DAT): US n=249 mean 20.14458 s 6.41470, Japan n=79 mean 30.48101
    # s 6.10771; unequal variances: T = -12.94627 on 136.87 degrees of freedom, so the difference's
    # standard error is 10.33643 / 12.94627 and its 95 % half-width t(0.975; 136.87) = 1.9775 times that.
    found = intervals.welch(20.14458, 6.41470, 249, 30.48101, 6.10771, 79)
    half = 1.9775 * 10.33643 / 12.94627
    assert found.low == pytest.approx(-10.33643 - half, abs=1e-3)
    assert found.high == pytest.approx(-10.33643 + half, abs=1e-3)


# NPS margin of error with the trinomial variance (Rocks B. (2016) "Interval estimation for the 'net
# promoter score'", The American Statistician 70(4):365-372; the same formula as MeasuringU's "How to
# compute a confidence interval for a Net Promoter Score"). Worked by hand:
#  50 promoters, 20 detractors of 100: var = 0.70 - 0.30^2 = 0.61, MoE = 1.96 * sqrt(0.61 / 100) = 15.31 points
#  120 / 20 of 200 (NPS 50): var = 0.70 - 0.50^2 = 0.45, MoE = 1.96 * sqrt(0.45 / 200) = 9.30
#  30 / 30 of 60: var = 1.00 - 0 = 1.00, MoE = 1.96 * sqrt(1 / 60) = 25.30
#  6 / 2 of 12: p = 0.5, d = 0.1667: var = 0.6667 - 0.3333^2 = 0.5556, MoE = 1.96 * sqrt(0.5556 / 12) = 42.17
#  400 / 100 of 1000: var = 0.5 - 0.09 = 0.41, MoE = 1.96 * sqrt(0.41 / 1000) = 3.97
NPS_EXAMPLES = [
    (50, 20, 100, 30.0, 15.31),
    (120, 20, 200, 50.0, 9.30),
    (30, 30, 60, 0.0, 25.30),
    (6, 2, 12, 33.33, 42.17),
    (400, 100, 1000, 30.0, 3.97),
]


@pytest.mark.parametrize(("promoters", "detractors", "n", "score", "margin"), NPS_EXAMPLES)
def test_nps_interval_matches_the_trinomial_margin_of_error(promoters, detractors, n, score, margin):
    found = intervals.nps(promoters, detractors, n)
    assert found.low == pytest.approx(score - margin, abs=0.01)
    assert found.high == pytest.approx(score + margin, abs=0.01)


def test_an_nps_sample_is_its_answers_as_plus_one_zero_minus_one():
    # 50 promoters, 20 detractors, 30 passives: sum = 30, sum of squares = 70
    found = intervals.of(TRINOMIAL, Sample(100, 30, 70))
    assert (round(found.low, 2), round(found.high, 2)) == (14.69, 45.31)


def test_a_change_is_real_only_when_its_interval_leaves_out_zero():
    # Newcombe's first example: 56/70 against 48/80 differs (0.0524..0.3339); 5/56 against 0/29 does not.
    assert intervals.real_change(WILSON, Sample(70, 56, 56), Sample(80, 48, 48)) is True
    assert intervals.real_change(WILSON, Sample(56, 5, 5), Sample(29, 0, 0)) is False
    assert intervals.real_change(WILSON, Sample(56, 5, 5), None) is None
    # NPS 50/20 of 100 against 40/30 of 100: difference 20 points, MoE 1.96 * sqrt(0.61/100 + 0.61/100) = 21.6
    assert intervals.real_change(TRINOMIAL, Sample(100, 30, 70), Sample(100, 10, 70)) is False
    # the same difference on ten times the answers: MoE 6.8 points
    assert intervals.real_change(TRINOMIAL, Sample(1000, 300, 700), Sample(1000, 100, 700)) is True
    # one evaluation cannot carry a t interval
    assert intervals.real_change(T_MEAN, Sample(1, 0.9, 0.81), Sample(10, 8, 6.5)) is None


proportions = st.integers(min_value=1, max_value=200).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n)))


@given(proportions, st.integers(min_value=2, max_value=20))
def test_wilson_contains_the_point_and_narrows_as_n_grows(sample, factor):
    successes, n = sample
    small, large = intervals.wilson(successes, n), intervals.wilson(successes * factor, n * factor)
    assert small.contains(successes / n) and large.contains(successes / n)
    assert large.high - large.low < small.high - small.low


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0.01, max_value=0.5),
       st.integers(min_value=2, max_value=500), st.integers(min_value=1, max_value=500))
def test_t_interval_contains_the_mean_and_narrows_as_n_grows(mean, sd, n, more):
    small, large = intervals.t_mean(mean, sd, n), intervals.t_mean(mean, sd, n + more)
    assert small.contains(mean) and large.contains(mean)
    assert large.high - large.low < small.high - small.low


@given(st.integers(min_value=1, max_value=100).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.integers(min_value=0, max_value=n), st.just(n))
    .filter(lambda t: t[0] + t[1] <= t[2] and 0 < t[0] + t[1] and (t[0] + t[1] < t[2] or t[0] * t[1] > 0))),
    st.integers(min_value=2, max_value=20))
def test_nps_interval_contains_the_score_and_narrows_as_n_grows(answers, factor):
    promoters, detractors, n = answers
    score = 100 * (promoters - detractors) / n
    small = intervals.nps(promoters, detractors, n)
    large = intervals.nps(promoters * factor, detractors * factor, n * factor)
    assert small.contains(score) and large.contains(score)
    assert large.high - large.low < small.high - small.low


def test_the_written_out_z_is_the_normal_quantile():
    """Z is written out so metrics load without scipy; it must stay the 97.5 % point of the normal."""
    assert intervals.Z == float(stats.norm.ppf(0.5 + intervals.LEVEL / 2))
