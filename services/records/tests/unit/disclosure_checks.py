"""What a statistician checks of a suppression, by hand and by algebra: every group safe on its
own, and no hidden cell determined by all the equations together; and the tables the tests
build (a province of wards, a 2-D table with its margins)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction

from hssk_records.domain.stats.disclosure import Group, Key, Policy

POLICY = Policy()


def assert_safe(
    counts: Mapping[Key, int],
    groups: Sequence[Group],
    result: frozenset[Key],
    policy: Policy = POLICY,
    hidden: Collection[Key] = (),
) -> None:
    """What a statistician can check by hand, group by group."""
    hide = set(hidden)
    dark = set(result) | hide
    assert not result & hide, "hidden keys are not part of the result"
    for key, n in counts.items():
        assert key in dark or not 0 < n < policy.min_count, f"small cell shown: {key}={n}"
    for group in groups:
        parts = [counts.get(p, 0) for p in group.parts]
        assert counts.get(group.total, 0) == sum(parts), "test data: parts must sum to the total"
        dark_parts = [p for p in group.parts if p in dark and counts.get(p, 0) > 0]
        if group.total not in dark:
            shown = sum(counts.get(p, 0) for p in group.parts if p not in dark)
            residual = counts[group.total] - shown
            assert residual == 0 or residual >= policy.min_count, (group, residual)
            assert not (len(dark_parts) == 1 and dark_parts[0] not in hide), (group, dark_parts)
        elif group.total not in hide and counts.get(group.total, 0) > 0:
            assert dark_parts, f"suppressed total is the sum of its shown parts: {group}"


def recovered(counts: Mapping[Key, int], groups: Sequence[Group], dark: set[Key]) -> set[Key]:
    """The dark keys whose value follows exactly from the group equations and the shown values:
    a key is recovered iff its unit vector lies in the row space of the equations restricted to
    the dark keys (Gauss-Jordan over the rationals)."""
    unknowns = sorted(dark)
    column = {key: i for i, key in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for group in groups:
        row = [Fraction(0)] * len(unknowns)
        for key, sign in [(group.total, 1), *((p, -1) for p in group.parts)]:
            if key in column:
                row[column[key]] += sign
        if any(row):
            rows.append(row)
    rank = 0
    for c in range(len(unknowns)):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        rows[rank] = [x / rows[rank][c] for x in rows[rank]]
        for i, row in enumerate(rows):
            if i != rank and row[c] != 0:
                factor = row[c]
                rows[i] = [a - factor * b for a, b in zip(row, rows[rank], strict=True)]
        rank += 1
    found = set()
    for row in rows[:rank]:
        nonzero = [c for c, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            found.add(unknowns[nonzero[0]])
    return found


def assert_nothing_recovered(
    counts: Mapping[Key, int],
    groups: Sequence[Group],
    result: frozenset[Key],
    policy: Policy = POLICY,
    hidden: Collection[Key] = (),
) -> None:
    """No suppressed cell follows from any combination of the equations; a hidden key may, if it
    is 0 or not small (it is not published, but it must not be a small cell)."""
    for key in recovered(counts, groups, set(result) | set(hidden)):
        if key in hidden:
            assert not 0 < counts.get(key, 0) < policy.min_count, key
        else:
            assert counts.get(key, 0) == 0, f"recovered: {key}={counts[key]}"


def hierarchy(total: Key, parts: Mapping[Key, int]) -> tuple[dict[Key, int], list[Group]]:
    counts = {**parts, total: sum(parts.values())}
    return counts, [Group(total, tuple(parts))]


def table(
    cells: Mapping[str, Sequence[int]], bands: Sequence[str]
) -> tuple[dict[Key, int], list[Group]]:
    """A ward x band table of one province with row totals (w, "*"), column totals ("P", band) and
    the grand total ("P", "*"), which is the sum of the rows and also of the columns."""
    counts: dict[Key, int] = {}
    groups: list[Group] = []
    for ward, row in cells.items():
        counts.update({(ward, band): n for band, n in zip(bands, row, strict=True)})
        counts[(ward, "*")] = sum(row)
        groups.append(Group((ward, "*"), tuple((ward, band) for band in bands)))
    for band in bands:
        counts[("P", band)] = sum(counts[(ward, band)] for ward in cells)
        groups.append(Group(("P", band), tuple((ward, band) for ward in cells)))
    counts[("P", "*")] = sum(counts[(ward, "*")] for ward in cells)
    groups.append(Group(("P", "*"), tuple((ward, "*") for ward in cells)))
    groups.append(Group(("P", "*"), tuple(("P", band) for band in bands)))
    return counts, groups
