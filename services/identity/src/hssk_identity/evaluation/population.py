"""A seeded synthetic population of a few Hà Nội wards: households (parents, children, siblings,
twins, grandparents) sharing an address and a phone, with personal IDs consistent with birth year
and sex (docs/domain.md, Identifiers), old CMNDs and BHYT cards. No real people.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from hssk_contracts.identifiers import PROVINCES
from hssk_identity.evaluation import families
from hssk_identity.evaluation import name_tables as tables
from hssk_identity.evaluation.families import REFERENCE, Member, Sex
from hssk_identity.evaluation.profiles import STANDARD, Profile

Precision = Literal["day", "year", "estimated"]  # "estimated": recorded as 01/01 of the year


@dataclass(frozen=True)
class Citizen:
    label: str
    household: str
    relation: str  # head | spouse | child | parent
    family: str
    middle: tuple[str, ...]
    given: str
    sex: Sex
    birth: date
    precision: Precision
    phone: str
    address: str
    commune_code: str
    cccd: str
    cmnd: str | None = None
    bhyt: str | None = None
    twin_of: str | None = None

    @property
    def name(self) -> str:
        return " ".join((self.family, *self.middle, self.given))

    @property
    def birth_text(self) -> str:
        if self.precision == "year":
            return f"{self.birth.year:04d}"
        return self.birth.isoformat()


@dataclass(frozen=True)
class Household:
    household_id: str
    address: str
    commune_code: str
    phone: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Population:
    citizens: tuple[Citizen, ...]
    households: tuple[Household, ...]

    def by_label(self) -> dict[str, Citizen]:
        return {c.label: c for c in self.citizens}


@dataclass
class _Generator:
    rng: random.Random
    used: set[str] = field(default_factory=set)
    citizens: list[Citizen] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)

    def household(self, members: list[Member]) -> None:
        hid = f"H{len(self.households) + 1:05d}"
        commune, ward = self.rng.choice(tables.WARDS)
        street = self.rng.choice(tables.STREETS)
        lane = f" ngõ {self.rng.randint(2, 180)}" if self.rng.random() < 0.6 else ""
        address = f"Số {self.rng.randint(1, 120)}{lane} {street}, {ward}"
        phone = self.unique(self.phone)
        first = len(self.citizens)
        for s in members:
            own_phone = (
                s.relation != "head"
                and _age(s.birth) >= 16
                and self.rng.random() < (0.4 if _age(s.birth) >= 75 else 0.65)
            )
            twin = f"P{first + s.twin + 1:05d}" if s.twin is not None else None
            self.citizens.append(
                self.citizen(
                    s, hid, address, commune, self.unique(self.phone) if own_phone else phone, twin
                )
            )
        labels = tuple(c.label for c in self.citizens[first:])
        self.households.append(Household(hid, address, commune, phone, labels))

    def citizen(
        self, s: Member, hid: str, address: str, commune: str, phone: str, twin: str | None
    ) -> Citizen:
        rng = self.rng
        precision: Precision = "day"
        roll = 1.0 if twin else rng.random()  # twins keep the same full birth date
        if s.birth.year < 1955 and roll < 0.22:
            precision = "year" if roll < 0.12 else "estimated"
        elif roll < 0.015:
            precision = "estimated"
        birth = date(s.birth.year, 1, 1) if precision == "estimated" else s.birth
        return Citizen(
            label=f"P{len(self.citizens) + 1:05d}",
            household=hid,
            relation=s.relation,
            family=s.family,
            middle=s.middle,
            given=s.given,
            sex=s.sex,
            birth=birth,
            precision=precision,
            phone=phone,
            address=address,
            commune_code=commune,
            cccd=self.unique(lambda: _cccd(rng, s.birth, s.sex)),
            cmnd=self.unique(lambda: f"0{rng.randrange(10**8):08d}")
            if s.birth.year <= 2002 and rng.random() < 0.8
            else None,
            bhyt=self.bhyt(s.birth) if rng.random() < 0.85 else None,
            twin_of=twin,
        )

    def phone(self) -> str:
        return f"{self.rng.choice(tables.PHONE_PREFIXES)}{self.rng.randrange(10**7):07d}"

    def bhyt(self, birth: date) -> str:
        age, rng = _age(birth), self.rng
        if age < 6:
            group = "TE1"
        elif age < 18:
            group = "HS4"
        elif age >= 60:
            group = rng.choice(["HT3", "GD4"])
        else:
            group = rng.choices(["DN4", "GD4", "HN2", "SV4"], [60, 28, 5, 7 if age < 23 else 0])[0]
        return self.unique(lambda: f"{group}01" + f"01{rng.randrange(10**8):08d}")

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError("identifier space exhausted")


def population(n: int, seed: int, profile: Profile = STANDARD) -> Population:
    """Exactly `n` citizens in households; the same seed gives the same population."""
    gen = _Generator(random.Random(seed))
    while len(gen.citizens) < n:
        members = families.household(gen.rng, profile=profile)
        if len(gen.citizens) + len(members) > n:  # the last places go to single households
            members = families.household(gen.rng, "single")
        gen.household(members)
    return Population(tuple(gen.citizens), tuple(gen.households))


def _cccd(rng: random.Random, birth: date, sex: Sex) -> str:
    province = "001" if rng.random() < 0.75 else rng.choice(sorted(PROVINCES))
    century = 2 * ((birth.year - 1900) // 100) + (1 if sex == "female" else 0)
    return f"{province}{century}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def _age(birth: date) -> int:
    return REFERENCE.year - birth.year
