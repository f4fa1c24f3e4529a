"""BHYT object group -> benefit level (mức hưởng), as dated reference data (docs/domain.md,
Identifiers).

Each table is complete and applies from its date until the next one; a group missing from the
table in force has no known level.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType


def _levels(by_level: Mapping[int, str]) -> dict[str, int]:
    return {group: level for level, groups in by_level.items() for group in groups.split()}


# QĐ 1351/QĐ-BHXH (2015): the list shared by several HIS codebases.
_BASE = _levels(
    {
        1: "CC TE",
        2: "CK CB KC HN DT DK XD BT TS",
        3: "HT TC CN",
        4: "DN HX CH NN TK HC XK TB NO CT XB TN CS XN MS HD TQ TV TA TY HG LS PV HS SV GB GD",
        5: "QN CA CY",
    }
)

# From 2026 a HIS moves near-poor (CN) and the new group LH to level 2. It also adds the groups
# below, but no source read gives their level, so they stay unknown (a warning, not a guess).
_CHANGES_2026 = {"CN": 2, "LH": 2}
GROUPS_WITHOUT_LEVEL_2026 = ("AK", "TG", "DS", "HK", "ND", "TH", "TD", "TU", "BA")

GROUP_LEVELS: Mapping[date, Mapping[str, int]] = MappingProxyType(
    {
        date(2015, 1, 1): MappingProxyType(_BASE),
        date(2026, 1, 1): MappingProxyType({**_BASE, **_CHANGES_2026}),
    }
)


def levels_on(on: date | None = None) -> Mapping[str, int]:
    """The table in force on a date; the newest one when no date is given.

    Dates before the first table get the first table: it is the oldest rule known.
    """
    dates = sorted(GROUP_LEVELS)
    if on is None:
        return GROUP_LEVELS[dates[-1]]
    in_force = [d for d in dates if d <= on]
    return GROUP_LEVELS[in_force[-1] if in_force else dates[0]]
