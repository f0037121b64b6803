"""Erlang C: the agents an interval needed to reach its service-level target.

With calls arriving at random, traffic A = calls x AHT / interval length (in erlangs). The chance a
call waits with N agents is Erlang C; the share answered within T is
    SL(N) = 1 - C(N, A) x exp(-(N - A) x T / AHT).
Agents needed = the smallest N > A with SL(N) >= target. Set beside the agents logged in, it tells
a meeting whether a miss came from staffing or from more volume than the partner could plan for.
"""
from __future__ import annotations

import math

INTERVAL_S = 900


def traffic(calls: float, aht_s: float, interval_s: int = INTERVAL_S) -> float:
    """Offered load in erlangs."""
    return calls * aht_s / interval_s


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call has to wait, with `agents` agents and `load` erlangs (agents > load)."""
    if agents <= load:
        return 1.0
    blocking = 1.0  # Erlang B by the stable recurrence B(n) = A B(n-1) / (n + A B(n-1))
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return agents * blocking / (agents - load * (1 - blocking))


def service_level(agents: int, load: float, aht_s: float, threshold_s: float) -> float:
    """Expected share of calls answered within threshold_s."""
    if agents <= load:
        return 0.0
    return 1 - erlang_c(agents, load) * math.exp(-(agents - load) * threshold_s / aht_s)


def agents_needed(calls: float, aht_s: float | None, threshold_s: float, target: float,
                  interval_s: int = INTERVAL_S) -> int | None:
    """The fewest agents reaching `target` for this volume and AHT; 0 without calls, None without an AHT."""
    if calls <= 0:
        return 0
    if not aht_s:
        return None
    load = traffic(calls, aht_s, interval_s)
    agents = math.floor(load) + 1
    while service_level(agents, load, aht_s, threshold_s) < target:
        agents += 1
    return agents
