"""QĐ 130 field formats: yyyymmddHHMM instants in Vietnam time, yyyymmdd days, birth dates
with unknown parts, ';' lists and plain numbers; codes stay strings.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

# Vietnam has kept UTC+7, without daylight saving, since 1975: a fixed offset is exact.
VIETNAM = timezone(timedelta(hours=7))

Row = dict[str, str]  # child tag -> stripped text; empty fields are left out
Rows = dict[str, list[Row]]  # "XML2" -> its rows, in document order


def parse_instant(text: str) -> datetime:
    """yyyymmddHHMM, 24 h, Vietnam time."""
    if not re.fullmatch(r"[0-9]{12}", text):
        raise ValueError("expected yyyymmddHHMM")
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=VIETNAM)


def parse_day(text: str) -> date:
    """yyyymmdd; a yyyymmddHHMM instant gives its (Vietnam) day."""
    if re.fullmatch(r"[0-9]{12}", text):
        return parse_instant(text).date()
    if not re.fullmatch(r"[0-9]{8}", text):
        raise ValueError("expected yyyymmdd")
    return datetime.strptime(text, "%Y%m%d").date()


def parse_birth(text: str) -> str:
    """NGAY_SINH with unknown parts written 0000/00 -> "1990-05-01", "1990-05" or "1990"."""
    m = re.fullmatch(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{4})?", text)
    if not m or m[1] == "0000" or (m[2] == "00" and m[3] != "00"):
        raise ValueError("expected yyyymmddHHMM (unknown parts 00) or yyyymmdd")
    if m[4] and m[4] != "0000":
        datetime.strptime(m[4], "%H%M")  # a neonate's time of birth must still be a time
    if m[2] == "00":
        return m[1]
    date(int(m[1]), int(m[2]), int(m[3]) or 1)
    return f"{m[1]}-{m[2]}" if m[3] == "00" else f"{m[1]}-{m[2]}-{m[3]}"


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def parse_decimal(text: str) -> float:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        raise ValueError("expected digits with '.' as the decimal separator")
    return float(text)


def parse_integer(text: str) -> int:
    if not text.isdigit():
        raise ValueError("expected a whole number")
    return int(text)


def parse_first_day(text: str) -> date:
    return parse_day(split_list(text)[0])
