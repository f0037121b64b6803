"""Erlang C against the textbook factorial formula and a published worked example."""
from __future__ import annotations

import math

import pytest

from metrics import erlang


def erlang_c_by_factorials(agents: int, load: float) -> float:
    top = load ** agents / math.factorial(agents) * agents / (agents - load)
    return top / (sum(load ** k / math.factorial(k) for k in range(agents)) + top)


@pytest.mark.parametrize("agents, load", [(1, 0.5), (11, 10.0), (14, 10.0), (30, 25.3), (3, 0.111)])
def test_erlang_c_equals_the_factorial_formula(agents, load):
    assert erlang.erlang_c(agents, load) == pytest.approx(erlang_c_by_factorials(agents, load), rel=1e-12)


def test_the_worked_example_needs_14_agents():
    # 200 calls an hour (50 per 15 min), AHT 180 s: 10 erlangs; 80 % within 20 s.
    # 13 agents reach 1 - 0.2853 e^(-3 x 20/180) = 79.5 %; 14 agents 88.8 %.
    assert erlang.traffic(50, 180) == 10.0
    assert erlang.service_level(13, 10.0, 180, 20) == pytest.approx(0.7955, abs=1e-4)
    assert erlang.agents_needed(50, 180, 20, 0.8) == 14


def test_no_calls_need_no_agents_and_no_aht_gives_no_answer():
    assert erlang.agents_needed(0, 180, 20, 0.8) == 0
    assert erlang.agents_needed(5, None, 20, 0.8) is None
