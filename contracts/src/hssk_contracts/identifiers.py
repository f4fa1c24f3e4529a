"""Identifier rules shared by every service: the 12-digit personal ID (CCCD), old CMND, BHYT card.

Pure functions; domain.md §1. A mismatch between an ID and the person's birth year or sex is a
warning, never a rejection: numbers are re-issued after corrections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CCCD_RE = re.compile(r"^\d{12}$")
CMND_RE = re.compile(r"^(\d{9}|\d{12})$")
BHYT_RE = re.compile(r"^[A-Z]{2}[1-5]\d{2}\d{10}$")
PASSPORT_RE = re.compile(r"^[A-Z0-9]{6,12}$")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str


def cccd_format(value: str) -> Finding | None:
    if not CCCD_RE.fullmatch(value):
        return Finding("cccd_format", f"personal ID {value!r} must be exactly 12 digits")
    return None


def cccd_consistency(value: str, birth_year: int | None, sex: str) -> list[Finding]:
    """Cross-check digit 4 (century + sex) and digits 5-6 (birth year) against the person."""
    if birth_year is None or not CCCD_RE.fullmatch(value):
        return []
    out = []
    century_digit = int(value[3])
    expected_century = 2 * ((birth_year - 1900) // 100)
    if century_digit - century_digit % 2 != expected_century:
        out.append(
            Finding(
                "cccd_century_mismatch",
                f"digit 4 of {value} ({century_digit}) does not fit birth year {birth_year}",
            )
        )
    if sex in ("male", "female") and century_digit % 2 != (1 if sex == "female" else 0):
        out.append(
            Finding(
                "cccd_sex_mismatch", f"digit 4 of {value} ({century_digit}) does not fit sex {sex}"
            )
        )
    if int(value[4:6]) != birth_year % 100:
        out.append(
            Finding(
                "cccd_birth_year_mismatch",
                f"digits 5-6 of {value} ({value[4:6]}) do not fit birth year {birth_year}",
            )
        )
    return out


def bhyt_format(value: str) -> Finding | None:
    if not BHYT_RE.fullmatch(value):
        return Finding(
            "bhyt_format",
            f"BHYT card {value!r} must match XX N PP + 10 digits (e.g. DN4010123456789)",
        )
    return None


def social_insurance_number(bhyt: str) -> str:
    """The lifelong 10-digit BHXH number: the last 10 characters of a card code."""
    return bhyt[-10:]


def format_problem(kind: str, value: str) -> Finding | None:
    if kind == "cccd":
        return cccd_format(value)
    if kind == "bhyt":
        return bhyt_format(value)
    if kind == "cmnd" and not CMND_RE.fullmatch(value):
        return Finding("cmnd_format", f"old ID card {value!r} must be 9 or 12 digits")
    if kind == "passport" and not PASSPORT_RE.fullmatch(value):
        return Finding("passport_format", f"passport {value!r} must be 6-12 letters or digits")
    return None


def match_keys(identifiers: list[tuple[str, str]]) -> list[str]:
    """Lookup keys in the deterministic matching order: personal ID, BHXH number, CMND, passport."""
    order = {"cccd": 0, "bhxh": 1, "cmnd": 2, "passport": 3}
    keys = []
    for kind, value in identifiers:
        if kind == "bhyt" and BHYT_RE.fullmatch(value):
            keys.append(("bhxh", social_insurance_number(value)))
        elif kind in order and format_problem(kind, value) is None:
            keys.append((kind, value))
    keys.sort(key=lambda kv: order[kv[0]])
    return list(dict.fromkeys(f"{k}:{v}" for k, v in keys))
