"""Birth dates as reception desks record them (full, month or year only, or a 01/01 stand-in)
and how well two of them agree."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

EXACT = "exact"
YEAR_ONLY_AGREES = "year_agrees"
SWAPPED = "day_month_swapped"
ONE_DIGIT = "one_digit"
CLOSE_YEAR = "close_year"
DIFFERENT = "different"

EARLIEST_YEAR = 1850  # no one alive was born earlier: an older year is a typing error
_FORMAT = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")


@dataclass(frozen=True)
class BirthDate:
    year: int
    month: int | None
    day: int | None
    # Year-only dates, and 1 January: registries write 01/01 when only the year is known.
    estimated: bool

    @property
    def is_full(self) -> bool:
        return self.month is not None and self.day is not None

    def isoformat(self) -> str:
        parts = [f"{self.year:04d}", *(f"{p:02d}" for p in (self.month, self.day) if p is not None)]
        return "-".join(parts)


def parse_birth_date(text: str | None) -> BirthDate | None:
    """ "1990-05-01", "1990-05" or "1990"; None or blank means unknown and gives None. A date
    that cannot exist, as registries do send (31 February, month 13), keeps what it can: the
    month and year, or the year alone (so it weighs less; `impossibility` says why). Raises
    ValueError only for what is no date at all (another shape, a year before 1850)."""
    if text is None or not text.strip():
        return None
    found = _FORMAT.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"birth date {text!r} is not yyyy-mm-dd, yyyy-mm or yyyy")
    year = int(found["year"])
    month = int(found["month"]) if found["month"] else None
    day = int(found["day"]) if found["day"] else None
    if year < EARLIEST_YEAR:
        raise ValueError(f"birth date {text!r} is before {EARLIEST_YEAR}")
    if month is not None and not 1 <= month <= 12:
        month = day = None  # only the year can be trusted
    if day is not None and month is not None and not 1 <= day <= _days(year, month):
        day = None  # the month and year can
    estimated = month is None or (month == 1 and day == 1)
    return BirthDate(year=year, month=month, day=day, estimated=estimated)


def impossibility(text: str | None) -> str | None:
    """Why a well-shaped birth date cannot exist, and how it is compared instead; None if it
    can (or is no date at all: parse_birth_date refuses that)."""
    found = _FORMAT.fullmatch((text or "").strip())
    if found is None or not found["month"]:
        return None
    year, month = int(found["year"]), int(found["month"])
    if not 1 <= month <= 12:
        return f"birth date {text!r} has no month {month}: compared by its year"
    days = _days(year, month)
    if found["day"] and not 1 <= int(found["day"]) <= days:
        return (
            f"birth date {text!r} does not exist ({year}-{month:02d} has {days} days): "
            f"compared by its month and year"
        )
    return None


def _days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def compare(a: BirthDate, b: BirthDate) -> str:
    """How two birth dates agree, strongest level first. Day/month swaps and digit typos are
    only looked for between two full dates neither of which is a 01/01 stand-in."""
    if a.is_full and b.is_full and not (a.estimated or b.estimated):
        return _compare_full(a, b)
    if not (a.estimated or b.estimated) and a == b:
        return EXACT  # same month, both known to month precision only
    if not _known_parts_agree(a, b):
        return DIFFERENT
    if a.year == b.year:
        return YEAR_ONLY_AGREES
    return CLOSE_YEAR if abs(a.year - b.year) == 1 else DIFFERENT


def _compare_full(a: BirthDate, b: BirthDate) -> str:
    if a == b:
        return EXACT
    if a.year == b.year and (a.month, a.day) == (b.day, b.month):
        return SWAPPED
    if _one_digit_apart(_digits(a), _digits(b)):
        return ONE_DIGIT
    if abs(a.year - b.year) == 1 and (a.month, a.day) == (b.month, b.day):
        return CLOSE_YEAR
    return DIFFERENT


def _known_parts_agree(a: BirthDate, b: BirthDate) -> bool:
    """Month and day agree wherever both sides really know them (a 01/01 stand-in knows only
    its year)."""
    if a.estimated or b.estimated or a.month is None or b.month is None:
        return True
    if a.month != b.month:
        return False
    return a.day is None or b.day is None or a.day == b.day


def _digits(date: BirthDate) -> str:
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


def _one_digit_apart(a: str, b: str) -> bool:
    """One digit mistyped, or two neighbouring digits typed the wrong way round."""
    differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differing) == 1:
        return True
    if len(differing) == 2 and differing[1] == differing[0] + 1:
        i = differing[0]
        return a[i] == b[i + 1] and a[i + 1] == b[i]
    return False
