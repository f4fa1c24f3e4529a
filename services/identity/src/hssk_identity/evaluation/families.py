"""Who lives together: household compositions (single, couple, parents and children, three
generations, single parent), birth dates that fit, siblings, twins, and their names."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from hssk_identity.evaluation import name_tables as tables
from hssk_identity.evaluation import text
from hssk_identity.evaluation.profiles import STANDARD, Profile

REFERENCE = date(2026, 6, 30)  # "today" of the synthetic city
PAIRED_TWIN_NAMES = 0.4  # same-sex twins named as a pair one tone or letter apart
KINDS = {"single": 12, "couple": 14, "nuclear": 52, "three_generations": 16, "single_parent": 6}

Sex = Literal["male", "female"]


@dataclass
class Member:
    """A household member before identifiers are issued."""

    relation: str
    sex: Sex
    birth: date
    family: str
    twin: int | None = None  # index of the twin sibling in the household's members
    middle: tuple[str, ...] = ()
    given: str = ""


def household(
    rng: random.Random, kind: str | None = None, profile: Profile = STANDARD
) -> list[Member]:
    """Members of one household of `kind` (drawn by KINDS if None), named."""
    kind = kind or rng.choices(list(KINDS), list(KINDS.values()))[0]
    members = _sketch_household(rng, kind, profile)
    _name_members(rng, members)
    return members


def _sketch_household(rng: random.Random, kind: str, profile: Profile) -> list[Member]:
    sex: Sex = rng.choice(["male", "female"])
    low, high = {
        "single": (18, 88),
        "couple": (22, 85),
        "nuclear": (24, 62),
        "three_generations": (28, 55),
        "single_parent": (22, 55),
    }[kind]
    head = Member("head", sex, _born(rng, REFERENCE.year - rng.randint(low, high)), _surname(rng))
    out = [head]
    if kind in ("couple", "nuclear", "three_generations"):
        other: Sex = "female" if sex == "male" else "male"
        gap = rng.randint(-1, 7) * (1 if sex == "male" else -1)  # husbands are mostly older
        out.append(Member("spouse", other, _born(rng, head.birth.year + gap), _surname(rng)))
    if kind in ("nuclear", "three_generations", "single_parent"):
        mother = next(s for s in out if s.sex == "female") if len(out) > 1 else head
        father = next((s for s in out if s.sex == "male"), None)
        family = father.family if father else rng.choice([mother.family, _surname(rng)])
        out += _children(rng, mother.birth.year, family, len(out), profile)
    if kind == "three_generations":
        for parent_sex in rng.sample(["male", "female"], rng.choice([1, 2])):
            year = head.birth.year - rng.randint(22, 35)
            if REFERENCE.year - year <= 95:
                family = head.family if parent_sex == "male" else _surname(rng)
                out.append(Member("parent", parent_sex, _born(rng, year), family))  # type: ignore[arg-type]
    return out


def _children(
    rng: random.Random, mother_year: int, family: str, offset: int, profile: Profile
) -> list[Member]:
    kids: list[Member] = []
    year = mother_year + rng.randint(20, 34)
    for _ in range(rng.choices(list(profile.children), list(profile.children.values()))[0]):
        birth = _born(rng, year)
        if birth > REFERENCE:
            break
        kids.append(Member("child", rng.choice(["male", "female"]), birth, family))
        if rng.random() < profile.twin_rate:
            sex = kids[-1].sex if rng.random() < 0.6 else _other(kids[-1].sex)
            kids.append(Member("child", sex, birth, family, twin=offset + len(kids) - 1))
            kids[-2].twin = offset + len(kids) - 1
        year = birth.year + rng.randint(1, 8)
    return kids


def _name_members(rng: random.Random, sketches: list[Member]) -> None:
    """Middle names by sex and era; given names unique in the household. Twins mostly share the
    middle name, and same-sex twins often get paired names one tone or letter apart ("Thủy",
    "Thúy"). Each person keeps one tone style ("Hòa" or "Hoà") in every record."""
    taken: set[str] = set()
    for s in sketches:
        twin = sketches[s.twin] if s.twin is not None else None
        if twin and twin.middle and twin.sex == s.sex and rng.random() < 0.7:
            s.middle = twin.middle
        else:
            s.middle = _middle(rng, s.sex, s.birth.year)
        pair = rng.choice(tables.TWIN_NAMES[s.sex])
        if (
            twin
            and not s.given
            and twin.sex == s.sex
            and rng.random() < PAIRED_TWIN_NAMES
            and not set(pair) & taken
        ):
            s.given, twin.given = pair
        elif not s.given:
            s.given = _given(rng, s, taken)
        taken.add(s.given)
        if rng.random() < 0.4:  # the new tone placement for this person
            s.family, s.given = (
                text.flip_tone_placement(s.family),
                text.flip_tone_placement(s.given),
            )
            s.middle = tuple(text.flip_tone_placement(m) for m in s.middle)


def _given(rng: random.Random, s: Member, taken: set[str]) -> str:
    pool = tables.GIVEN_MALE if s.sex == "male" else tables.GIVEN_FEMALE
    used = {text.strip_diacritics(w) for w in (*taken, *s.middle)}
    given = _weighted(rng, pool)
    while text.strip_diacritics(given) in used:
        given = _weighted(rng, pool)
    return given


def _middle(rng: random.Random, sex: Sex, year: int) -> tuple[str, ...]:
    if rng.random() < 0.04:
        return ()
    old = year < 1985
    if sex == "male":
        first = _weighted(rng, tables.MIDDLE_MALE_OLD if old else tables.MIDDLE_MALE_NEW)
        second, p = tables.SECOND_MIDDLE_MALE, 0.04
    else:
        first = _weighted(rng, tables.MIDDLE_FEMALE_OLD if old else tables.MIDDLE_FEMALE_NEW)
        second, p = tables.SECOND_MIDDLE_FEMALE, 0.12
    if rng.random() < p:
        extra = rng.choice([m for m in second if m != first])
        return (first, extra)
    return (first,)


def _surname(rng: random.Random) -> str:
    return _weighted(rng, tables.SURNAMES)


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), list(table.values()))[0]


def _born(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _age(birth: date) -> int:
    return REFERENCE.year - birth.year


def _other(sex: Sex) -> Sex:
    return "female" if sex == "male" else "male"
