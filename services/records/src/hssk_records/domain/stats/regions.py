"""Where a ward is: the 34 provinces and 3,321 communes of 1 July 2025, when districts were
abolished (docs/domain.md, Facility and administrative codes), as the national statistics office
codes them. A ward nobody can place is counted under UNKNOWN, never dropped."""

from __future__ import annotations

import json
from functools import cache

import vietnam_provinces

UNKNOWN = "00"  # the province of a ward code not in the registry (or no ward at all)
NO_WARD = "00000"


@cache
def _registry() -> tuple[dict[str, str], dict[str, str]]:
    """(ward code -> province code, code -> name) for every province and commune."""
    provinces = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text("utf-8"))
    province_of: dict[str, str] = {}
    names = {UNKNOWN: "Không rõ tỉnh", NO_WARD: "Không rõ xã/phường"}
    for p in provinces:
        code = f"{p['code']:02d}"
        names[code] = p["name"]
        for w in p["wards"]:
            ward = f"{w['code']:05d}"
            province_of[ward] = code
            names[ward] = " ".join(w["name"].split())  # the registry has doubled spaces
    return province_of, names


def province_of(ward: str) -> str:
    return _registry()[0].get(ward, UNKNOWN)


def name_of(code: str) -> str:
    return _registry()[1].get(code, code)


def wards_of(province: str) -> list[str]:
    return sorted(w for w, p in _registry()[0].items() if p == province)
