"""Erlang C: how many agents a queue needs to answer a share of contacts within a
target time (DOMAIN.md ST-19, P-8: 70 % of general calls, 85 % of VIP calls within
20 s).

    A   traffic in Erlangs = contacts per second × average handling time (s)
    C   probability a contact waits (Erlang C), from Erlang B by its recursion
        B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)),  C = N·B / (N − A·(1 − B))
    SL  share answered within T = 1 − C·e^(−(N − A)·T / AHT)

The recursion never forms A^N or N!, so it stays exact for large queues.
"""

from __future__ import annotations

import math


def erlang_b(traffic: float, agents: int) -> float:
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a contact has to wait; 1 when the agents cannot keep up."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(traffic, agents)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(traffic: float, agents: int, aht_seconds: float, target_seconds: float) -> float:
    """Share of contacts answered within the target time."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waiting = erlang_c(traffic, agents)
    return 1 - waiting * math.exp(-(agents - traffic) * target_seconds / aht_seconds)


def agents_required(
    traffic: float, aht_seconds: float, target_seconds: float, service_level_target: float
) -> int:
    """The fewest agents on the phones that meet the service level (0 for no traffic)."""
    if traffic <= 0:
        return 0
    agents = math.floor(traffic) + 1
    while service_level(traffic, agents, aht_seconds, target_seconds) < service_level_target:
        agents += 1
    return agents


def with_shrinkage(agents: int, shrinkage: float) -> int:
    """People to roster so that `agents` are on the phones after breaks, training and
    absence take their share."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage is a share below 1")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)
