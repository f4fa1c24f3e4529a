"""MongoDB adapter: records (one document per citizen, `_id` = person_id), the access logs,
emergency grants and the identifier -> person map. Every read and write goes by `_id`.

Record writes are guarded by `version`. On MongoDB the guard is in the update filter (atomic).
FerretDB v1 scans for any filter other than exactly `{"_id": …}` and is not atomic across read
and write anyway, so there the guard is the read just before; one writer per person is
guaranteed by the partitioning of records.visit.v1 by person_id."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_kit.mongo import BatchedInserts, ByIdReader, is_ferretdb, upsert_by_id
from hssk_records.domain.access_log import Entry, Head, entry_key
from hssk_records.domain.emergency import Grant, grant_key
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


class MongoAccessLogStore:
    """Entries keyed "<subject>:<seq>" (every read by `_id`), one head per subject."""

    def __init__(self, db: AsyncDatabase):
        self._entries = db["access_log"]
        self._heads = db["access_log_heads"]
        self._reads = ByIdReader(self._entries)
        self._inserts = BatchedInserts(self._entries)
        self._head_reads = ByIdReader(self._heads)

    async def head(self, subject: str) -> Head | None:
        doc = await self._head_reads.get(subject)
        if doc is None:
            return None
        doc.pop("_id")
        return Head(**{**doc, "emergencies": tuple(doc.get("emergencies", ()))})

    async def entries(self, subject: str, seqs: list[int]) -> dict[int, Entry]:
        docs = await self._reads.get_many([entry_key(subject, s) for s in seqs])
        out = {}
        for doc in docs.values():
            doc.pop("_id")
            out[doc["seq"]] = Entry(**doc)
        return out

    async def insert(self, entry: Entry) -> bool:
        return await self._inserts.insert({"_id": entry.key, **asdict(entry)})

    async def save_head(self, head: Head) -> None:
        doc = asdict(head)
        doc["emergencies"] = list(head.emergencies)
        await upsert_by_id(self._heads, head.subject, {"$set": doc}, doc)


class MongoGrantStore:
    """Grants keyed "<doctor>|<person>"; each emergency access of a day takes a slot document
    "<doctor>|<day>|<n>": inserting a unique `_id` is atomic on every engine, so concurrent
    requests on several replicas cannot exceed the allowance."""

    def __init__(self, db: AsyncDatabase):
        self._grants = db["emergency_grants"]
        self._slots = db["emergency_slots"]

    async def get(self, doctor: str, person_id: str) -> Grant | None:
        doc = await self._grants.find_one({"_id": grant_key(doctor, person_id)})
        if doc is None:
            return None
        doc.pop("_id")
        return Grant(**doc)

    async def save(self, grant: Grant) -> None:
        doc = asdict(grant)
        await upsert_by_id(self._grants, grant.key, {"$set": doc}, doc)

    async def take_slot(self, doctor: str, day: str, limit: int) -> bool:
        ids = [f"{doctor}|{day}|{n}" for n in range(1, limit + 1)]
        taken = {d["_id"] for d in await self._slots.find({"_id": {"$in": ids}}).to_list(None)}
        for slot in (i for i in ids if i not in taken):
            try:
                await self._slots.insert_one({"_id": slot, "doctor": doctor, "day": day})
                return True
            except DuplicateKeyError:  # taken meanwhile by a concurrent request
                continue
        return False


class MongoPersonKeys:
    def __init__(self, db: AsyncDatabase):
        self._keys = db["person_keys"]
        self._reads = ByIdReader(self._keys)

    async def person_of(self, keys: list[str]) -> str | None:
        found = await self._reads.get_many(keys)
        return next((found[k]["person_id"] for k in keys if k in found), None)

    async def remember(self, keys: list[str], person_id: str) -> None:
        for key in keys:
            await upsert_by_id(
                self._keys, key, {"$set": {"person_id": person_id}}, {"person_id": person_id}
            )
