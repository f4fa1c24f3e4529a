"""In-memory fake of the reminder store, for fast unit tests."""

from __future__ import annotations

from hssk_notify.domain.policy import Reminder


class InMemoryReminderStore:
    def __init__(self) -> None:
        self.reminders: dict[str, dict[str, Reminder]] = {}

    async def has(self, person_id: str, reminder_id: str) -> bool:
        return reminder_id in self.reminders.get(person_id, {})

    async def add(self, reminder: Reminder) -> None:
        self.reminders.setdefault(reminder.person_id, {}).setdefault(reminder.reminder_id, reminder)

    async def for_person(self, person_id: str) -> list[Reminder]:
        return list(self.reminders.get(person_id, {}).values())
