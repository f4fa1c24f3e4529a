"""The match model: how many bits of evidence each comparison level carries, and the decision
thresholds. Fellegi–Sunter: a level's weight is log2(m/u), m the share of true pairs and u the
share of unrelated pairs that compare at that level. The m and u of the demographic fields are
learned from the data (`hssk_identity.training`); the identifier rules are law, not statistics,
and stay fixed. The model in use ships with the code as `matching-model.json` (its provenance is
inside); every decision records the version that made it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# Field -> its levels, as `matching.compare` names them ("<field>:<level>"). A field missing on
# either side has no level and weighs nothing.
LEARNED_FIELDS: dict[str, tuple[str, ...]] = {
    "name": (
        "exact",
        "tone_only",
        "middle_variant",
        "reordered",
        "typo",
        "given_only",
        "similar",
        "different",
        "given_conflict",
        "given_typo",
        "middle_differs",
    ),
    # Agreement is scaled by the surname's rarity (names.surname_weight); "other" weighs nothing.
    "surname": ("agree", "other"),
    "birth": ("exact", "year_agrees", "day_month_swapped", "one_digit", "close_year", "different"),
    "sex": ("agree", "disagree"),
    "commune": ("agree", "disagree"),
    "phone": ("agree", "disagree"),
    "address": ("agree", "similar", "disagree"),
}
# Personal IDs and BHXH numbers are issued once per person for life (docs/domain.md): two
# different ones are two people, one digit apart is a typo left to the other fields.
FIXED = {
    "personal_id:disagree": -15.0,
    "personal_id:typo": 0.0,
    "insurance_number:disagree": -15.0,
    "insurance_number:typo": 0.0,
}
LEVELS = tuple(f"{f}:{level}" for f, levels in LEARNED_FIELDS.items() for level in levels)
MAX_BITS = 14.0  # no single level may outweigh an identifier rule, however the counts fall


@dataclass(frozen=True)
class Model:
    version: str
    weights: dict[str, float]  # "<field>:<level>" -> bits
    link_threshold: float  # auto-link at or above (and with the margin)
    link_margin: float  # over the runner-up
    review_threshold: float  # below: a new person
    # log2 of the prior odds that two records of the training list are one person: the
    # thresholds above are in bits of evidence for lists like it; a list with more (or fewer)
    # duplicates per pair needs less (or more) evidence for the same certainty.
    prior: float = 0.0
    m: dict[str, float] = field(default_factory=dict)
    u: dict[str, float] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    def bits(self, level: str) -> float:
        return FIXED[level] if level in FIXED else self.weights[level]

    def document(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "thresholds": {
                "link": self.link_threshold,
                "margin": self.link_margin,
                "review": self.review_threshold,
            },
            "prior": self.prior,
            "weights": self.weights,
            "fixed": FIXED,
            "m": self.m,
            "u": self.u,
            "provenance": self.provenance,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Model:
        unknown = sorted(set(doc["weights"]) ^ set(LEVELS))
        if unknown:
            raise ValueError(f"match model {doc.get('version')}: unknown or missing {unknown}")
        return cls(
            version=str(doc["version"]),
            weights={k: float(v) for k, v in doc["weights"].items()},
            link_threshold=float(doc["thresholds"]["link"]),
            link_margin=float(doc["thresholds"]["margin"]),
            review_threshold=float(doc["thresholds"]["review"]),
            prior=float(doc.get("prior", 0.0)),
            m=dict(doc.get("m", {})),
            u=dict(doc.get("u", {})),
            provenance=dict(doc.get("provenance", {})),
        )


def weight(m: float, u: float) -> float:
    """log2(m/u) in bits, bounded by MAX_BITS either way and rounded for a readable file."""
    return round(max(-MAX_BITS, min(MAX_BITS, math.log2(m / u))), 2)


def packaged() -> Model:
    """The model shipped with the code (`hssk_identity/matching-model.json`)."""
    text = resources.files("hssk_identity").joinpath("matching-model.json").read_text("utf-8")
    return Model.from_document(json.loads(text))
