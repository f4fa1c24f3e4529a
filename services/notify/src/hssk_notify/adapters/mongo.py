"""MongoDB adapter: one document per citizen (`_id` = person_id) listing their reminders."""

from __future__ import annotations

from dataclasses import asdict

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from hssk_notify.domain.policy import Reminder


class MongoReminderStore:
    def __init__(self, db: AsyncIOMotorDatabase):
        self._by_person = db["reminders_by_person"]

    async def has(self, person_id: str, reminder_id: str) -> bool:
        doc = await self._by_person.find_one({"_id": person_id})
        return any(r["reminder_id"] == reminder_id for r in (doc or {}).get("reminders", []))

    async def add(self, reminder: Reminder) -> None:
        try:
            await self._by_person.update_one(
                {"_id": reminder.person_id, "reminders.reminder_id": {"$ne": reminder.reminder_id}},
                {"$push": {"reminders": asdict(reminder)}}, upsert=True)
        except DuplicateKeyError:
            pass  # already there: the filter failed on an existing document

    async def for_person(self, person_id: str) -> list[Reminder]:
        doc = await self._by_person.find_one({"_id": person_id})
        return [Reminder(**r) for r in (doc or {}).get("reminders", [])]
