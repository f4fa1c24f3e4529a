"""Identifier rules shared by every service: personal ID (CCCD), old CMND, BHYT card, passport.

Pure functions (docs/domain.md, Identifiers). `*_format` and `format_problem` findings reject
a value; every other finding is a warning, never a rejection: numbers are re-issued after
corrections.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from hssk_contracts.bhyt_groups import levels_on

CCCD_RE = re.compile(r"^[0-9]{12}$")
CMND_RE = re.compile(r"^([0-9]{9}|[0-9]{12})$")
BHYT_RE = re.compile(r"^[A-Z]{2}[1-5][0-9]{2}[0-9]{10}$")
PASSPORT_RE = re.compile(r"^[A-Z0-9]{6,12}$")
TEMP_CARD_RE = re.compile(r"^[A-Z0-9]{15}$")
# A facility sequence starts at 001, so "PP000" is never a real initial-registration facility.
TEMP_REGISTRATION_RE = re.compile(r"^[0-9]{2}000$")
_PASSPORT_IN_SO_CCCD_RE = re.compile(r"^(?=.{8,9}$)[A-Z]{1,2}[0-9]+$")
_ALNUM_RE = re.compile(r"^[A-Z0-9]+$")
_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015]+")

# Province of birth registration, digits 1-3 of a personal ID (Circular 07/2016 Annex 1).
# fmt: off
PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu", "079": "TP HCM", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
# fmt: on


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


_KEY_ORDER = {"cccd": 0, "bhxh": 1, "cmnd": 2, "passport": 3}


def match_keys(identifiers: list[tuple[str, str]]) -> list[str]:
    """Lookup keys in the deterministic matching order: personal ID, BHXH number, CMND, passport."""
    keys = [key for kind, value in identifiers if (key := _ranked_key(kind, value))]
    keys.sort(key=lambda key: key[0])
    return list(dict.fromkeys(key for _, key in keys))


def match_key(kind: str, value: str) -> str | None:
    """The lookup key of one identifier ("bhxh:..." for a BHYT card), None if it gives none."""
    ranked = _ranked_key(kind, value)
    return ranked[1] if ranked else None


@lru_cache(maxsize=1 << 16)  # asked for the same identifiers many times per resolution
def _ranked_key(kind: str, value: str) -> tuple[int, str] | None:
    # Kinds outside the order ("temp", "eid") give no key: a temporary card's last 10 characters
    # are no lifelong BHXH number, and a shared key would merge unrelated newborns.
    if kind == "bhyt" and BHYT_RE.fullmatch(value):
        return _KEY_ORDER["bhxh"], f"bhxh:{social_insurance_number(value)}"
    if kind in _KEY_ORDER and format_problem(kind, value) is None:
        return _KEY_ORDER[kind], f"{kind}:{value}"
    return None


def cccd_province_warning(value: str) -> Finding | None:
    """Digits 1-3 outside the 63 province codes: maybe a country code (born abroad), so warn."""
    if not CCCD_RE.fullmatch(value) or value[:3] in PROVINCES:
        return None
    return Finding(
        "cccd_unknown_province",
        f"digits 1-3 of {value} ({value[:3]}) are no known province; a country code?",
    )


def bhyt_level_consistency(card: str, on: date | None = None) -> Finding | None:
    """The benefit-level digit against the object group, by the table in force `on`.

    Pass the card's valid-from date (GT_THE_TU) or the visit date; without one, the newest table.
    """
    if not BHYT_RE.fullmatch(card):
        return None
    group, level = card[:2], int(card[2])
    expected = levels_on(on).get(group)
    when = f" on {on.isoformat()}" if on else ""
    if expected is None:
        return Finding("bhyt_unknown_group", f"unknown object group {group} in {card}{when}")
    if level != expected:
        return Finding(
            "bhyt_level_mismatch",
            f"{card}: object group {group} has benefit level {expected}{when}, not {level}",
        )
    return None


def split_cards(field: str) -> list[str]:
    """XML1 card codes joined by ";" when the card changed mid-visit: in order, once each."""
    return list(dict.fromkeys(part.strip() for part in field.split(";") if part.strip()))


def is_temporary_registration(ma_dkbd: str) -> bool:
    """MA_DKBD of a temporary card: the 2-digit province code + "000", e.g. "01000"."""
    return bool(TEMP_REGISTRATION_RE.fullmatch(ma_dkbd))


def is_temporary_card(value: str, ma_dkbd: str | None = None) -> bool:
    """A MA_THE_TAM code: 15 letters or digits.

    A temporary code looks like a real card (e.g. TE1010000012345), so only its registration
    tells them apart: pass MA_DKBD to decide for a code read from MA_THE_BHYT.
    """
    if not TEMP_CARD_RE.fullmatch(value):
        return False
    return ma_dkbd is None or is_temporary_registration(ma_dkbd)


def infer_document_type(so_cccd: str) -> str:
    """The document behind XML SO_CCCD: "cccd", "cmnd", "passport" or "eid" (account code).

    12 digits is a personal ID: 12-digit CMNDs were replaced by it.
    """
    value = _SEPARATORS_RE.sub("", so_cccd).upper()
    if not value:
        raise ValueError("SO_CCCD is empty")
    if CCCD_RE.fullmatch(value):
        return "cccd"
    if re.fullmatch(r"[0-9]{9}", value):
        return "cmnd"
    if _PASSPORT_IN_SO_CCCD_RE.fullmatch(value):
        return "passport"
    if _ALNUM_RE.fullmatch(value):
        return "eid"
    raise ValueError(f"SO_CCCD {so_cccd!r} is not letters and digits")


_DOCUMENT_KINDS = frozenset({"cccd", "cmnd", "bhyt", "passport", "temp"})


def normalise(kind: str, value: str) -> str:
    """Upper-case; drop spaces and dashes from document numbers, which never contain them.

    Other kinds (e-ID account codes) are only trimmed: their format is not published, and
    dropping characters could make two different codes equal.
    """
    if kind in _DOCUMENT_KINDS:
        return _SEPARATORS_RE.sub("", value).upper()
    return value.strip().upper()


@dataclass(frozen=True)
class IdentifierRecord:
    """One identifier in a person's history; cancelled ones stay (they remain in the QR code)."""

    kind: str
    value: str
    status: Literal["active", "cancelled"]
    since: date | None = None
    cancelled_on: date | None = None
    reason: str | None = None


def active_conflicts(records: Sequence[IdentifierRecord]) -> list[str]:
    """Keys ("kind:value") active more than once: only active identifiers must be unique."""
    seen: set[str] = set()
    conflicts: dict[str, None] = {}
    for record in records:
        if record.status != "active":
            continue
        key = f"{record.kind}:{normalise(record.kind, record.value)}"
        if key in seen:
            conflicts[key] = None
        seen.add(key)
    return list(conflicts)
