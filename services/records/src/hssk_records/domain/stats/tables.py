"""The statistics' tables, from the tallies: completeness by area, population and chronic
conditions by sex and age band, visits by ICD-10 chapter and week; each a cube that went
through the disclosure gate (cubes.py). Ages are counted at query time from birth years, so a
citizen grows older in the figures without any change of theirs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from hssk_records.domain.stats import icd10
from hssk_records.domain.stats.cubes import ALL, Coords, Cube, build, crossed
from hssk_records.domain.stats.disclosure import Policy
from hssk_records.domain.stats.shares import BANDS

AGE_BANDS = (("0-17", 0), ("18-39", 18), ("40-59", 40), ("60-79", 60), ("80+", 80))
UNKNOWN_AGE = "unknown"
BANDS_OF_AGE = (*(name for name, _ in AGE_BANDS), UNKNOWN_AGE)
SEXES = ("male", "female", "other")  # "unknown" sex is counted with "other": too few apart
Base = dict[tuple[str, Coords], int]


def age_band(birth_year: str, year: int) -> str:
    if not birth_year.isdigit():
        return UNKNOWN_AGE
    age = year - int(birth_year)
    return next((name for name, low in reversed(AGE_BANDS) if age >= low), UNKNOWN_AGE)


def completeness(cells: Mapping[str, int], policy: Policy) -> Cube:
    """`cells`: "<ward>|citizens", "<ward>|complete", "<ward>|band|<b>", "<ward>|missing|<f>".
    Completeness describes the records, not anyone's health: how few people have filled an item
    is no disclosure, so the complements (complete vs not, missing vs filled) are not guarded;
    every figure shown is still one of at least the minimum cell, and the bands of an area
    (which add up to its citizens) and the wards of a province are guarded as any group."""
    base: Base = {}
    for cell, n in cells.items():
        ward, *coords = cell.split("|")
        base[(ward, tuple(coords))] = base.get((ward, tuple(coords)), 0) + n
    bands = tuple(("band", name) for _, name in BANDS)
    return build(_positive(base), [(("citizens",), bands)], policy)


def population(cells: Mapping[str, int], year: int, policy: Policy) -> Cube:
    """`cells`: "<ward>|<sex>|<birth year>" -> citizens."""
    base = _with_margins(_by_sex_and_age("pop", cells, year))
    return build(base, crossed("pop", SEXES, BANDS_OF_AGE), policy)


def condition(cells: Mapping[str, int], pop: Cube, year: int, policy: Policy) -> Cube:
    """One chronic condition against the population: its count per sex and age band, the
    population beside it, and (never published) those without it. The population is taken as
    shown here even where its own cube hides it: that only makes this cube more careful, and
    it lets a condition's figures be rebuilt without the population's."""
    having = _by_sex_and_age("cond", cells, year)
    base: Base = dict(having)
    for (level, area, kind, *coords), n in pop.counts.items():
        if level == "ward" and kind == "pop" and ALL not in coords:  # finest cells only
            held = having.get((area, ("cond", *coords)), 0)
            base[(area, ("pop", *coords))] = n
            base[(area, ("without", *coords))] = n - held
    cut = [*SEXES, ALL]
    within = crossed("cond", SEXES, BANDS_OF_AGE) + [
        (("pop", s, b), (("cond", s, b), ("without", s, b)))
        for s in cut
        for b in [*BANDS_OF_AGE, ALL]
    ]
    hidden = [("without", s, b) for s in cut for b in [*BANDS_OF_AGE, ALL]]
    return build(_with_margins(base), within, policy, hidden=hidden)


def visits(cells: Mapping[str, int], policy: Policy) -> Cube:
    """One week: "<ward>|<chapter>" -> visits."""
    base: Base = {}
    for cell, n in cells.items():
        ward, chapter = cell.split("|")
        base[(ward, ("visits", chapter))] = base.get((ward, ("visits", chapter)), 0) + n
        base[(ward, ("visits", ALL))] = base.get((ward, ("visits", ALL)), 0) + n
    chapters = tuple(("visits", c) for c in [*(c for c, *_ in icd10.CHAPTERS), icd10.UNCODED])
    return build(_positive(base), [(("visits", ALL), chapters)], policy)


GROUPS = ("reminded", "held_out")


def reminders(cells: Mapping[str, int], policy: Policy) -> Cube:
    """One campaign: "<ward>|status|<status>|<channel or reason>" -> reminders, and
    "<ward>|group|<reminded or held_out>|all|completed". The reminders of a group who did not
    fill the item are never published: a completion count and its group beside it must not
    give away a small number of people who did not."""
    base: Base = {}

    def count(ward: str, coords: Coords, n: int) -> None:
        base[(ward, coords)] = base.get((ward, coords), 0) + n

    for cell, n in cells.items():
        ward, kind, a, b = cell.split("|")
        count(ward, (kind, a, b), n)
        if kind == "status":
            count(ward, ("status", ALL, ALL), n)
    for (ward, (kind, group, what)), n in list(base.items()):
        if kind == "group" and what == "completed":
            count(ward, ("group", group, "not_completed"), -n)
        elif kind == "group" and what == "all":
            count(ward, ("group", group, "not_completed"), n)
    outcomes = tuple(c for _, c in base if c[0] == "status" and c[1] != ALL)
    within = [(("status", ALL, ALL), tuple(sorted(set(outcomes))))] + [
        (("group", g, "all"), (("group", g, "completed"), ("group", g, "not_completed")))
        for g in GROUPS
    ]
    hidden = [("group", g, "not_completed") for g in GROUPS]
    return build(_positive(base), within, policy, hidden=hidden)


def _by_sex_and_age(kind: str, cells: Mapping[str, int], year: int) -> Base:
    """The finest cells, (ward, (kind, sex, age band)); margins are added once, by the caller."""
    base: Counter[tuple[str, Coords]] = Counter()
    for cell, n in cells.items():
        ward, sex, born = cell.split("|")
        base[(ward, (kind, sex if sex in SEXES else "other", age_band(born, year)))] += n
    return dict(base)


def _with_margins(base: Base) -> Base:
    """Adds the all-sexes and all-ages totals of every (kind, sex, band) cell."""
    out: Counter[tuple[str, Coords]] = Counter()
    for (ward, (kind, sex, band)), n in base.items():
        if ALL in (sex, band):
            continue
        for s in (sex, ALL):
            for b in (band, ALL):
                out[(ward, (kind, s, b))] += n
    return _positive(dict(out))


def _positive(base: Base) -> Base:
    return {k: n for k, n in base.items() if n > 0}
