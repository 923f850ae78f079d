"""The monthly draw, as pure functions (issue 17 item 3; DOMAIN.md P-10, K-8).

Reproducible: the random generator is seeded with the month and the agent, and the
candidates are taken in contact-id order, so the same month and the same contacts
give the same sample on every run and every machine.

Fair: the agent's target is split over strata (channel × ticket kind) in proportion to
each stratum's weighted size, with the remainders rounded at random (seeded), so
over many agents each stratum gets its share. Within a stratum contacts are drawn
without replacement with probability proportional to their weight (Efraimidis and
Spirakis' keys u^(1/w)). A complaint's weight is the centre's complaint factor;
automatic-check hits add to a contact's weight.

Dissatisfied customers: a configurable share of each agent's sample is drawn first
from the contacts whose customer answered the satisfaction survey dissatisfied (when
the agent has that many), the rest stratified as above from the other contacts (where
more dissatisfied ones may come up at their own rate, so the share is a floor). The
share's fractional part is rounded at random (seeded), so over the centre the
proportion is the configured one, not a rounding of it.
"""

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    channel: str
    ticket_kind: str  # "" when the contact led to no ticket
    ticket_id: int | None = None
    weight: float = 1.0
    dissatisfied: bool = False  # the customer answered the survey dissatisfied

    @property
    def stratum(self) -> tuple[str, str]:
        return (self.channel, self.ticket_kind)


def seed_for(month: date, agent_id: int) -> str:
    return f"quality-sample:{month:%Y-%m}:{agent_id}"


def _weighted_order(items: Sequence, weights: Sequence[float], rng: random.Random) -> list:
    """The items in the order a weighted draw without replacement takes them."""
    keyed = []
    for item, weight in zip(items, weights, strict=True):
        u = rng.random() or 1e-12
        keyed.append((math.log(u) / weight if weight > 0 else -math.inf, item))
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _key, item in keyed]


def _quotas(
    masses: dict[tuple[str, str], float], sizes: dict[tuple[str, str], int], n: int, rng
) -> dict[tuple[str, str], int]:
    """How many of `n` each stratum gets: its share of the weighted mass, remainders
    rounded at random, never more than the stratum holds."""
    quotas = dict.fromkeys(masses, 0)
    left = n
    open_keys = [key for key in sorted(masses) if sizes[key] > 0]
    while left > 0 and open_keys:
        total = sum(masses[key] for key in open_keys)
        exact = {key: left * masses[key] / total for key in open_keys}
        given = 0
        for key in open_keys:
            take = min(int(exact[key]), sizes[key] - quotas[key])
            quotas[key] += take
            given += take
        rest = left - given
        remainders = [exact[key] - int(exact[key]) for key in open_keys]
        candidates = [
            key for key, r in zip(open_keys, remainders, strict=True) if r > 0
        ] or open_keys
        weights = [max(exact[key] - int(exact[key]), 1e-9) for key in candidates]
        for key in _weighted_order(candidates, weights, rng):
            if rest == 0:
                break
            if quotas[key] < sizes[key]:
                quotas[key] += 1
                rest -= 1
        left = rest
        open_keys = [key for key in open_keys if quotas[key] < sizes[key]]
    return quotas


def draw(
    candidates: Sequence[Candidate], target: int, seed: str, dissatisfied_share: float = 0.0
) -> list[Candidate]:
    """The agent's sample of `target` contacts (all of them if there are fewer), with
    `dissatisfied_share` of it (0–1) taken from dissatisfied customers' contacts."""
    if target <= 0 or not candidates:
        return []
    ordered = sorted(candidates, key=lambda c: c.contact_id)
    if len(ordered) <= target:
        return ordered
    rng = random.Random(seed)
    reserved: list[Candidate] = []
    unhappy = [c for c in ordered if c.dissatisfied] if dissatisfied_share > 0 else []
    if unhappy:
        exact = target * min(dissatisfied_share, 1.0)
        share = int(exact) + (1 if rng.random() < exact - int(exact) else 0)
        share = min(share, len(unhappy))
        if share:
            reserved = _weighted_order(unhappy, [c.weight for c in unhappy], rng)[:share]
            taken = {c.contact_id for c in reserved}
            ordered = [c for c in ordered if c.contact_id not in taken]
            target -= share
    return sorted([*reserved, *_stratified(ordered, target, rng)], key=lambda c: c.contact_id)


def _stratified(ordered: list[Candidate], target: int, rng: random.Random) -> list[Candidate]:
    """`target` of the candidates (in contact-id order), stratified by channel and kind."""
    if target <= 0:
        return []
    if len(ordered) <= target:
        return ordered
    by_stratum: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in ordered:
        by_stratum[candidate.stratum].append(candidate)
    masses = {key: sum(c.weight for c in group) for key, group in by_stratum.items()}
    sizes = {key: len(group) for key, group in by_stratum.items()}
    quotas = _quotas(masses, sizes, target, rng)
    chosen: list[Candidate] = []
    for key in sorted(by_stratum):
        group = by_stratum[key]
        order = _weighted_order(group, [c.weight for c in group], rng)
        chosen.extend(order[: quotas[key]])
    return chosen


def top_up(
    candidates: Sequence[Candidate],
    target: int,
    seed: str,
    already: set[int],
    dissatisfied_share: float = 0.0,
) -> list[Candidate]:
    """The contacts to add so the agent has `target`: the month's full draw first
    (so a rebuild from scratch gives the same sample), then more from the rest."""
    need = target - len(already)
    if need <= 0:
        return []
    full = [
        c for c in draw(candidates, target, seed, dissatisfied_share) if c.contact_id not in already
    ]
    picked = full[:need]
    if len(picked) < need:
        taken = already | {c.contact_id for c in picked}
        rest = [c for c in candidates if c.contact_id not in taken]
        picked.extend(draw(rest, need - len(picked), f"{seed}:more", dissatisfied_share))
    return picked
