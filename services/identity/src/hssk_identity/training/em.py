"""Fellegi–Sunter parameters estimated from unlabelled pairs, as Splink and recordlinkage do.

u (how often unrelated people compare at a level) is counted on random pairs, where true pairs are
vanishingly rare. m (how often the same person does) and the share of true pairs among the
pairs (lambda) are estimated by expectation–maximisation over the pairs a training rule selects,
u held fixed: each round weighs every pair by how likely it is a match under the current
m, then counts the levels again with those weights. Fields are taken as independent given the
match status (the model's assumption; the guards in `matching` catch what it misses, such as
siblings who share a surname, an address and a phone).

Pure: pairs come in as counted patterns (one `{field: level}` per distinct comparison).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hssk_identity.domain.model import LEARNED_FIELDS

Pattern = tuple[tuple[str, str], ...]  # sorted (field, level) pairs of one comparison
PSEUDO = 1.0  # added to each level's count: a level never seen still has a finite weight


@dataclass(frozen=True)
class Fit:
    m: dict[str, float]  # "<field>:<level>" -> P(level | match)
    u: dict[str, float]  # "<field>:<level>" -> P(level | non-match)
    share: float  # lambda: the share of true pairs among the candidate pairs
    rounds: int
    converged: bool


def pattern(levels: Mapping[str, str], without: Iterable[str] = ()) -> Pattern:
    """The learned fields of one comparison (less `without`), in a hashable, countable form."""
    skip = set(without)
    return tuple(
        sorted((f, lv) for f, lv in levels.items() if f in LEARNED_FIELDS and f not in skip)
    )


def level_shares(patterns: Mapping[Pattern, float]) -> dict[str, float]:
    """Per field, how the (weighted) pairs that carry it spread over its levels, smoothed."""
    counts: dict[str, float] = {}
    for p, n in patterns.items():
        for f, level in p:
            counts[f"{f}:{level}"] = counts.get(f"{f}:{level}", 0.0) + n
    shares = {}
    for f, levels in LEARNED_FIELDS.items():
        total = sum(counts.get(f"{f}:{lv}", 0.0) for lv in levels) + PSEUDO * len(levels)
        for level in levels:
            shares[f"{f}:{level}"] = (counts.get(f"{f}:{level}", 0.0) + PSEUDO) / total
    return shares


def estimate(
    candidates: Mapping[Pattern, int],
    u: Mapping[str, float],
    start_m: Mapping[str, float],
    start_share: float = 0.1,
    rounds: int = 200,
    tolerance: float = 1e-7,
) -> Fit:
    """m and lambda by EM over the candidate patterns, u fixed, from `start_m`."""
    m, share = dict(start_m), start_share
    for done in range(1, rounds + 1):
        weighted: dict[Pattern, float] = {}
        matched = 0.0
        for p, n in candidates.items():
            odds = share / (1 - share) * math.prod(m[f"{f}:{lv}"] / u[f"{f}:{lv}"] for f, lv in p)
            probability = odds / (1 + odds)
            weighted[p] = n * probability
            matched += n * probability
        new_m = level_shares(weighted)
        new_share = min(max(matched / sum(candidates.values()), 1e-6), 1 - 1e-6)
        moved = max(abs(new_m[k] - m[k]) for k in new_m)
        m, share = new_m, new_share
        if moved < tolerance:
            return Fit(m, dict(u), share, done, True)
    return Fit(m, dict(u), share, rounds, False)


def counted(patterns: Iterable[Pattern]) -> dict[Pattern, int]:
    return dict(Counter(patterns))
