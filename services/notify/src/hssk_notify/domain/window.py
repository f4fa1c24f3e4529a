"""The sending window of Decree 91/2020/NĐ-CP: advertising and notification messages go out only
between 07:00 and 22:00 Vietnam time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _vietnam() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        # Slim images may ship without the tz database; Vietnam has kept UTC+07:00 without
        # daylight saving since 1975, so the fixed offset gives the same answers.
        return timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


VN: tzinfo = _vietnam()
OPENS = time(7)
CLOSES = time(22)  # exclusive: a message at 22:00:00 is already outside


def _local(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        # A naive time would be read as the server's local time, which is rarely Vietnam's.
        raise ValueError(f"a time zone is required: {at!r}")
    return at.astimezone(VN)


def in_window(at: datetime) -> bool:
    """Whether a message may be sent at `at` (tz-aware)."""
    return OPENS <= _local(at).time() < CLOSES


def next_open(at: datetime) -> datetime:
    """`at` if it is inside the window, else the next 07:00 Vietnam time; always in UTC."""
    local = _local(at)
    if OPENS <= local.time() < CLOSES:
        return at.astimezone(UTC)
    day = local.date() if local.time() < OPENS else local.date() + timedelta(days=1)
    return datetime.combine(day, OPENS, VN).astimezone(UTC)
