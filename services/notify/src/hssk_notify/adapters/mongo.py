"""MongoDB adapter: one document per citizen (`_id` = person_id) listing their reminders."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.asynchronous.database import AsyncDatabase

from hssk_kit.mongo import ByIdReader, upsert_by_id
from hssk_notify.domain.policy import Reminder


class MongoReminderStore:
    def __init__(self, db: AsyncDatabase):
        self._by_person = db["reminders_by_person"]
        self._reads = ByIdReader(self._by_person)  # concurrent events share one query

    async def has(self, person_id: str, reminder_id: str) -> bool:
        doc = await self._reads.get(person_id)
        return any(r["reminder_id"] == reminder_id for r in (doc or {}).get("reminders", []))

    async def add(self, reminder: Reminder) -> None:
        if await self.has(reminder.person_id, reminder.reminder_id):
            return  # one writer per person (partition key), so check-then-push is safe
        doc = asdict(reminder)
        await upsert_by_id(
            self._by_person, reminder.person_id, {"$push": {"reminders": doc}}, {"reminders": [doc]}
        )

    async def for_person(self, person_id: str) -> list[Reminder]:
        doc = await self._reads.get(person_id)
        return [Reminder(**r) for r in (doc or {}).get("reminders", [])]
