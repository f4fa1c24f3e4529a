"""The time notify decides by: the system clock, or (tests and demos, never production) a clock
an operator sets, which runs on from the instant it was set, so a test can live through 22:30 and
the next 07:00 in a second."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    def __init__(self, start: datetime | None = None):
        self._at, self._since = start or datetime.now(UTC), time.monotonic()

    def __call__(self) -> datetime:
        return self._at + timedelta(seconds=time.monotonic() - self._since)

    def set(self, at: datetime) -> None:
        self._at, self._since = at, time.monotonic()
