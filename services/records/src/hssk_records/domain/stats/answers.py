"""Answers read from the gated cubes: rows a leader or a ward officer reads (and a CSV holds),
where a hidden figure is None, and each province says how many of its wards were hidden and
how many people those wards hold together (at least the minimum cell, or nothing)."""

from __future__ import annotations

from typing import Any

from hssk_records.domain.stats import icd10, regions
from hssk_records.domain.stats.cubes import ALL, CITY, Cube
from hssk_records.domain.stats.disclosure import Policy, rate
from hssk_records.domain.stats.shares import BANDS
from hssk_records.domain.stats.tables import GROUPS
from hssk_records.domain.template import FIELDS, LABELS

TOP_MISSING = 5


def completeness(cube: Cube, level: str, areas: list[str], policy: Policy) -> list[dict]:
    rows = []
    for area in areas:
        citizens = cube.value(level, area, "citizens")
        complete = cube.value(level, area, "complete")
        counted = [(n, f) for f, _ in FIELDS if (n := cube.value(level, area, "missing", f))]
        counted.sort(key=lambda m: (-m[0], m[1]))
        missing = [{"field": f, "label": LABELS[f], "citizens": n} for n, f in counted]
        rows.append(
            {
                **_area(level, area),
                "citizens": citizens,
                "complete": complete,
                "complete_percent": rate(complete, citizens, policy, per=100).value,
                "bands": {b: cube.value(level, area, "band", b) for _, b in BANDS},
                "top_missing": missing[:TOP_MISSING],
            }
        )
    return rows


def hidden_wards(cube: Cube, provinces: list[str], measure: tuple[str, ...]) -> list[dict]:
    """Per province, the wards whose `measure` is hidden, rolled up: their number and what they
    hold together (the province's figure minus its shown wards: the gate made it safe)."""
    out = []
    every_ward = cube.areas("ward")
    for p in provinces:
        wards = [w for w in every_ward if regions.province_of(w) == p]
        hidden = [w for w in wards if cube.value("ward", w, *measure) is None]
        total = cube.value("province", p, *measure)
        if hidden:
            shown = sum(cube.value("ward", w, *measure) or 0 for w in wards)
            together = None if total is None else total - shown
            out.append({**_area("province", p), "wards_hidden": len(hidden), "together": together})
    return out


def conditions(
    cubes: dict[str, Cube], pop: Cube, level: str, areas: list[str], sex: str, band: str,
    policy: Policy,
) -> list[dict]:  # fmt: skip
    rows = []
    for area in areas:
        people = pop.value(level, area, "pop", sex, band)
        for name, cube in sorted(cubes.items()):
            n = cube.value(level, area, "cond", sex, band)
            r = rate(n, people, policy)
            rows.append(
                {
                    **_area(level, area),
                    "condition": name,
                    "label": icd10.CONDITIONS[name][0],
                    "sex": sex,
                    "age_band": band,
                    "citizens": n,
                    "population": people,
                    "per_1000": r.value,
                    "unstable": r.unstable,
                }
            )
    return rows


def visits(weeks: dict[str, Cube], level: str, areas: list[str]) -> list[dict]:
    rows = []
    for week, cube in sorted(weeks.items()):
        for area in areas:
            if cube.value(level, area, "visits", ALL) == 0:
                continue
            for chapter in (ALL, *(c for c, *_ in icd10.CHAPTERS), icd10.UNCODED):
                n = cube.value(level, area, "visits", chapter)
                if n != 0:
                    rows.append(
                        {
                            **_area(level, area),
                            "week": week,
                            "chapter": chapter,
                            "label": icd10.CHAPTER_LABELS.get(chapter, "Tất cả"),
                            "visits": n,
                        }
                    )
    return rows


def reminders(cubes: dict[str, Cube], level: str, areas: list[str], policy: Policy) -> list[dict]:
    """Per campaign and area: reminders by what became of them (and on which channel, or why
    suppressed), and for completeness reminders, how many of the reminded and of the random
    hold-out were followed by the item filled."""
    rows = []
    for campaign, cube in sorted(cubes.items()):
        outcomes = sorted({k[3:] for k in cube.counts if k[2] == "status" and k[3] != ALL})
        measured = any(k[2] == "group" for k in cube.counts)  # appointments: no hold-out
        for area in areas:
            total = cube.value(level, area, "status", ALL, ALL)
            if total == 0 and not any(cube.value(level, area, "group", g, "all") for g in GROUPS):
                continue
            effect: dict[str, Any] = {}
            for group in GROUPS if measured else ():
                n = cube.value(level, area, "group", group, "all")
                done = cube.value(level, area, "group", group, "completed")
                r = rate(done, n, policy, per=100)
                effect[group] = {"reminders": n, "completed": done,
                                 "completed_percent": r.value, "unstable": r.unstable}  # fmt: skip
            a, b = (effect[g]["completed_percent"] if measured else None for g in GROUPS)
            if measured:
                effect["difference_points"] = None if a is None or b is None else round(a - b, 1)
            rows.append(
                {
                    **_area(level, area),
                    "campaign": campaign,
                    "reminders": total,
                    "outcomes": {
                        f"{status}:{detail}": cube.value(level, area, "status", status, detail)
                        for status, detail in outcomes
                    },
                    **effect,
                }
            )
    return rows


def _area(level: str, area: str) -> dict[str, Any]:
    name = "Toàn thành phố" if area == CITY else regions.name_of(area)
    out: dict[str, Any] = {"level": level, "area": area, "name": name}
    if level == "ward":
        out["province"] = regions.province_of(area)
    return out
