"""Published tables as cubes: every figure any question can ask for (each ward, its province and
the city; every age band and sex, and their totals) built at once with the groups that tie them,
and passed through the disclosure gate once. Answers are read from a cube, so no two answers
can be subtracted to reveal a hidden cell."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hssk_records.domain.stats import regions
from hssk_records.domain.stats.disclosure import Group, Key, Policy, suppressed

CITY = "all"
ALL = "*"
Coords = tuple[str, ...]


@dataclass(frozen=True)
class Cube:
    counts: Mapping[Key, int]
    dark: frozenset[Key]  # published keys the gate hides

    def value(self, level: str, area: str, *coords: str) -> int | None:
        key = (level, area, *coords)
        return None if key in self.dark else self.counts.get(key, 0)

    def areas(self, level: str) -> list[str]:
        return sorted({k[1] for k in self.counts if k[0] == level})


def build(
    base: Mapping[tuple[str, Coords], int],
    groups_within: Iterable[tuple[Coords, tuple[Coords, ...]]],
    policy: Policy,
    hidden: Iterable[Coords] = (),
    hidden_keys: Iterable[Key] = (),
) -> Cube:
    """`base`: (ward, coords) -> count. Every coords is rolled up to the province and the city;
    `groups_within` (total coords, part coords) hold in every area; `hidden` coords are never
    published (complements), nor are `hidden_keys`."""
    counts: Counter[Key] = Counter()
    wards_of: dict[str, set[str]] = defaultdict(set)
    coords_seen: set[Coords] = set()
    for (ward, coords), n in base.items():
        province = regions.province_of(ward)
        wards_of[province].add(ward)
        coords_seen.add(coords)
        for key in (
            ("ward", ward, *coords),
            ("province", province, *coords),
            ("city", CITY, *coords),
        ):
            counts[key] += n
    within = list(groups_within)
    groups = [
        Group((level, area, *total), tuple((level, area, *p) for p in parts))
        for level, area in _areas(wards_of)
        for total, parts in within
    ]
    for coords in coords_seen | {c for t, parts in within for c in (t, *parts)}:
        groups.append(
            Group(("city", CITY, *coords), tuple(("province", p, *coords) for p in wards_of))
        )
        groups += [
            Group(("province", p, *coords), tuple(("ward", w, *coords) for w in sorted(wards)))
            for p, wards in wards_of.items()
        ]
    never = {(lvl, a, *c) for lvl, a in _areas(wards_of) for c in hidden} | set(hidden_keys)
    return Cube(counts, suppressed(counts, groups, policy, hidden=never))


def _areas(wards_of: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    out = [("city", CITY)] + [("province", p) for p in sorted(wards_of)]
    return out + [("ward", w) for ws in wards_of.values() for w in sorted(ws)]


def crossed(
    kind: str, sexes: Iterable[str], bands: Iterable[str]
) -> list[tuple[Coords, tuple[Coords, ...]]]:
    """The groups of a sex x age band table with its margins: bands sum to all ages for each
    sex, sexes sum to both for each band (totals included)."""
    s_all, b_all = [*sexes, ALL], [*bands, ALL]
    out: list[tuple[Coords, tuple[Coords, ...]]] = [
        ((kind, s, ALL), tuple((kind, s, b) for b in bands)) for s in s_all
    ]
    return out + [((kind, ALL, b), tuple((kind, s, b) for s in sexes)) for b in b_all]
