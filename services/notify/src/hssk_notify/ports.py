"""What the notify handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from hssk_notify.domain.policy import Reminder


class ReminderStore(Protocol):
    async def has(self, person_id: str, reminder_id: str) -> bool: ...

    async def add(self, reminder: Reminder) -> None:
        """Remember a scheduled reminder; adding the same id again is a no-op."""

    async def for_person(self, person_id: str) -> list[Reminder]: ...
