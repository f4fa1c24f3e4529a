"""MongoDB adapter: one document per citizen, `_id` = person_id.

Writes are guarded by `version`. On MongoDB the guard is in the update filter (atomic). FerretDB
v1 scans for any filter other than exactly `{"_id": …}` and is not atomic across read and write
anyway, so there the guard is the read just before; one writer per person is guaranteed by the
partitioning of records.visit.v1 by person_id."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from hssk_kit.mongo import BatchedInserts, ByIdReader, is_ferretdb
from hssk_records.domain.record import Record
from hssk_records.ports import ConcurrentUpdate


class MongoRecordRepository:
    def __init__(self, db: AsyncDatabase):
        self._db = db
        self._records = db["records"]
        self._reads = ByIdReader(self._records)  # concurrent visits share one query
        self._inserts = BatchedInserts(self._records)
        self._atomic_guard: bool | None = None

    async def get(self, person_id: str) -> Record | None:
        doc = await self._reads.get(person_id)
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
            if not await self._inserts.insert({"_id": record.person_id, **doc}):
                raise ConcurrentUpdate(record.person_id)
            return
        if self._atomic_guard is None:
            self._atomic_guard = not await is_ferretdb(self._db)
        guard = {"version": expected_version} if self._atomic_guard else {}
        if not self._atomic_guard:
            current = await self._records.find_one({"_id": record.person_id}, {"version": 1})
            if current is None or current["version"] != expected_version:
                raise ConcurrentUpdate(record.person_id)
        result = await self._records.update_one({"_id": record.person_id, **guard}, {"$set": doc})
        if result.matched_count == 0:
            raise ConcurrentUpdate(record.person_id)
