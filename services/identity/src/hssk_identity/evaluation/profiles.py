"""How hard a synthetic population is: the rates of the errors sources make, how many siblings
and twins households hold, and how many records come from a former home. `standard` is the
population the targets were first set on; `harsh` doubles the siblings, the twins, the typos and
the unaccented names, and one record in twenty comes from a former home."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    name: str
    rates: dict[str, float] = field(default_factory=dict)  # perturbation -> share of records
    twin_rate: float = 0.04  # per birth; about 3x the real rate, so a small run holds twin pairs
    children: dict[int, int] = field(default_factory=dict)  # children -> weight, per family


STANDARD = Profile(
    "standard",
    rates={
        "no_diacritics": 0.12, "tone_only": 0.03, "tone_placement": 0.30, "mojibake": 0.02,
        "middle_dropped": 0.04, "middle_added": 0.015, "given_first": 0.02, "name_typo": 0.03,
        "upper_case": 0.15, "year_only": 0.05, "day_month_swap": 0.02, "date_typo": 0.02,
        "phone_changed": 0.08, "phone_written": 0.30, "sex_unknown": 0.02, "cccd_typo": 0.03,
        "moved": 0.0,
    },
    children={1: 30, 2: 50, 3: 20},
)  # fmt: skip
HARSH = Profile(
    "harsh",
    rates=STANDARD.rates
    | {"no_diacritics": 0.24, "name_typo": 0.06, "date_typo": 0.04, "cccd_typo": 0.06}
    # a hospital or the BHYT list still holds the address of a former home (another ward)
    | {"moved": 0.05},
    twin_rate=0.08,
    children={1: 10, 2: 35, 3: 35, 4: 20},  # about twice the sibling pairs of `standard`
)
PROFILES = {p.name: p for p in (STANDARD, HARSH)}
