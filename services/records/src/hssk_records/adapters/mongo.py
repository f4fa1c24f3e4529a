"""MongoDB adapter: one document per citizen, `_id` = person_id, written by compare-and-set on
`version` (FerretDB has no transactions; the version guard makes concurrent writers safe)."""

from __future__ import annotations

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from hssk_records.domain.record import Record
from hssk_records.ports import ConcurrentUpdate


class MongoRecordRepository:
    def __init__(self, db: AsyncIOMotorDatabase):
        self._records = db["records"]

    async def get(self, person_id: str) -> Record | None:
        doc = await self._records.find_one({"_id": person_id})
        if doc is None:
            return None
        doc.pop("_id")
        # Visit keys may contain dots, which Mongo field names must not: stored as a list.
        doc["visits"] = {v["key"]: v for v in doc.get("visits", [])}
        return Record.model_validate(doc)

    async def save(self, record: Record, expected_version: int) -> None:
        doc = record.model_dump(mode="json")
        doc["visits"] = list(doc["visits"].values())
        if expected_version == 0:
            try:
                await self._records.insert_one({"_id": record.person_id, **doc})
            except DuplicateKeyError:
                raise ConcurrentUpdate(record.person_id) from None
            return
        result = await self._records.replace_one(
            {"_id": record.person_id, "version": expected_version}, doc)
        if result.matched_count == 0:
            raise ConcurrentUpdate(record.person_id)
