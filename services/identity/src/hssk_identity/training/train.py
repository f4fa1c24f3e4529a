"""A new match model from a list of records: u on random pairs, m and lambda by EM on the
candidate pairs, each level's weight log2(m/u). Labels are never read."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hssk_identity.domain import matching
from hssk_identity.domain.model import LEARNED_FIELDS, LEVELS, Model, weight
from hssk_identity.training import em, pairs

RANDOM_PAIRS = 200_000


def train(
    records: Sequence[matching.Demographics],
    start: Model,
    *,
    version: str,
    trained_on: dict[str, Any],
    now: datetime,
    random_pairs: int = RANDOM_PAIRS,
) -> Model:
    started = time.perf_counter()
    seed = f"u/{version}"
    u = em.level_shares(
        em.counted(pairs.patterns(records, pairs.random_pairs(random_pairs, len(records), seed)))
    )
    m, rules, prior = start_m(start, u), {}, None
    for rule, selects in pairs.RULES.items():
        selected = em.counted(pairs.patterns(records, pairs.rule_pairs(rule, records), selects))
        fit = em.estimate(selected, u, m)
        learned = {k for k in LEVELS if k.split(":")[0] not in selects}
        m |= {k: v for k, v in fit.m.items() if k in learned}
        if rule == "same_birth_date" and fit.converged:
            # the matches this rule found are the share m(birth:exact) of all matches
            matches = fit.share * sum(selected.values()) / m["birth:exact"]
            prior = odds_bits(matches / (len(records) * (len(records) - 1) / 2))
        rules[rule] = {
            "pairs": sum(selected.values()),
            "share_of_matches": round(fit.share, 6),
            "em_rounds": fit.rounds,
            "converged": fit.converged,
            "learned": sorted({k.split(":")[0] for k in learned}),
        }
    weights = {k: weight(m[k], u[k]) for k in LEVELS}
    prior = start.prior if prior is None else round(prior, 2)
    shift = round(start.prior - prior, 2)  # the same certainty as the model it starts from
    return Model(
        version=version,
        weights=weights,
        link_threshold=round(start.link_threshold + shift, 2),
        link_margin=start.link_margin,
        review_threshold=round(start.review_threshold + shift, 2),
        prior=prior,
        m={k: round(v, 6) for k, v in m.items()},
        u={k: round(v, 8) for k, v in u.items()},
        provenance={
            "trained": True,
            "at": now.isoformat(timespec="seconds"),
            "method": "Fellegi-Sunter; u from random pairs; m by EM per training rule, u fixed",
            "started_from": start.version,
            "records": len(records),
            "random_pairs": random_pairs,
            "rules": rules,
            "seconds": round(time.perf_counter() - started, 1),
            "data": trained_on,
        },
    )


def odds_bits(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def start_m(model: Model, u: dict[str, float]) -> dict[str, float]:
    """The m that the given model's weights imply against this u: EM starts where we stand."""
    m: dict[str, float] = {}
    for f, levels in LEARNED_FIELDS.items():
        raw = {lv: u[f"{f}:{lv}"] * math.pow(2, model.weights[f"{f}:{lv}"]) for lv in levels}
        total = sum(raw.values())
        m |= {f"{f}:{lv}": value / total for lv, value in raw.items()}
    return m
