"""MongoDB adapter: records (the current state, `_id` = person_id), their events
("<person_id>:<version>"), encounters ("<facility>:<visit_id>"), the access logs, emergency grants
and the identifier -> person map. Every read and write goes by `_id`.

The event log arbitrates between writers of one record: an event's `_id` is unique on every
engine. A record document is then stored only over an older version, the guard in the update's
filter: atomic on MongoDB; FerretDB v1 reads and writes a matched document in two steps, and a
record left behind by that race is caught up by its next writer."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_kit.mongo import BatchedInserts, BatchedUpdates, ByIdReader, upsert_by_id
from hssk_records.domain.access_log import Entry, Head, entry_key
from hssk_records.domain.corrections import Correction
from hssk_records.domain.emergency import Grant, grant_key
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.events import RecordEvent, event_key
from hssk_records.domain.record import Record
from hssk_records.domain.sharing import Share


def record_doc(record: Record) -> dict[str, Any]:
    """Item names (vaccines) may hold dots, which field names must not, and FerretDB v1 stores
    no array inside an array: `reported` as a list of objects."""
    doc = record.model_dump(mode="json", exclude_none=True)  # every None is a default
    doc["reported"] = [
        {"kind": kind, "item": item, "keys": keys}
        for kind, items in doc["reported"].items()
        for item, keys in items.items()
    ]
    return doc


def record_from(doc: dict[str, Any]) -> Record:
    reported: dict[str, dict[str, list[str]]] = {}
    for row in doc.get("reported", []):
        reported.setdefault(row["kind"], {})[row["item"]] = row["keys"]
    return Record.model_validate({**doc, "reported": reported})


class MongoRecordRepository:
    def __init__(self, db: AsyncDatabase):
        self._records = db["records"]
        self._reads = ByIdReader(self._records)  # concurrent visits share one query
        self._versions = ByIdReader(self._records, fields=["version"])
        self._inserts = BatchedInserts(self._records)
        self._updates = BatchedUpdates(self._records)

    async def get(self, person_id: str) -> Record | None:
        doc = await self._reads.get(person_id)
        return None if doc is None else record_from(doc)

    async def save(self, record: Record) -> bool:
        doc = {"_id": record.person_id, **record_doc(record)}
        if record.version == 1 and await self._inserts.insert(doc):
            return True
        if await self._update_if_older(record, doc):
            return True
        # No document at all (a crash lost its first save): whoever comes next stores it.
        return record.version > 1 and await self._inserts.insert(doc)

    async def _update_if_older(self, record: Record, doc: dict[str, Any]) -> bool:
        fields = {k: v for k, v in doc.items() if k != "_id"}
        gone = {k: "" for k in Record.model_fields if k not in fields}  # None now: unset
        change = {"$set": fields, **({"$unset": gone} if gone else {})}
        older = {"version": {"$lt": record.version}}
        matched = await self._updates.update(record.person_id, change, where=older)
        if matched is not None:
            return matched
        # Only some statements of the batch matched; whether this one did, the stored version
        # says (equal: this record, or the same version stored by a twin attempt before it).
        current = await self._versions.get(record.person_id)
        return current is not None and current["version"] == record.version


class MongoEventLog:
    def __init__(self, db: AsyncDatabase):
        self._events = db["record_events"]
        self._reads = ByIdReader(self._events)
        self._inserts = BatchedInserts(self._events)

    async def append(self, event: RecordEvent) -> bool:
        return await self._inserts.insert(_event_doc(event))

    async def get(self, person_id: str, version: int) -> RecordEvent | None:
        doc = await self._reads.get(event_key(person_id, version))
        return None if doc is None else _event_from(doc)

    async def versions(self, person_id: str, versions: list[int]) -> dict[int, RecordEvent]:
        docs = await self._reads.get_many([event_key(person_id, v) for v in versions])
        return {e.version: e for e in map(_event_from, docs.values())}


def _event_doc(event: RecordEvent) -> dict[str, Any]:
    doc = event.model_dump(mode="json", exclude={"merged"}, exclude_none=True)
    if event.merged is not None:
        doc["merged"] = record_doc(event.merged)
    return {"_id": event.key, **doc}


def _event_from(doc: dict[str, Any]) -> RecordEvent:
    merged = doc.get("merged")
    return RecordEvent.model_validate({**doc, "merged": record_from(merged) if merged else None})


class MongoEncounterStore:
    def __init__(self, db: AsyncDatabase):
        self._encounters = db["encounters"]
        self._reads = ByIdReader(self._encounters)
        self._inserts = BatchedInserts(self._encounters)

    async def get(self, key: str) -> StoredEncounter | None:
        doc = await self._reads.get(key)
        return None if doc is None else StoredEncounter.model_validate(doc)

    async def get_many(self, keys: list[str]) -> dict[str, StoredEncounter]:
        docs = await self._reads.get_many(keys)
        return {k: StoredEncounter.model_validate(d) for k, d in docs.items()}

    async def put(self, encounter: StoredEncounter) -> None:
        doc = encounter.model_dump(mode="json")
        if not await self._inserts.insert({"_id": encounter.key, **doc}):
            await self._encounters.update_one({"_id": encounter.key}, {"$set": doc})


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
    """Grants keyed "<doctor>|<person>"."""

    def __init__(self, db: AsyncDatabase):
        self._grants = db["emergency_grants"]

    async def get(self, doctor: str, person_id: str) -> Grant | None:
        doc = await self._grants.find_one({"_id": grant_key(doctor, person_id)})
        if doc is None:
            return None
        doc.pop("_id")
        return Grant(**doc)

    async def save(self, grant: Grant) -> None:
        doc = asdict(grant)
        await upsert_by_id(self._grants, grant.key, {"$set": doc}, doc)


class MongoAllowances:
    """Each use of an allowance is a document "<key>|<n>", n in 1..limit: inserting a unique
    `_id` is atomic on every engine, so concurrent requests on several replicas cannot take
    more than the limit."""

    def __init__(self, db: AsyncDatabase):
        self._slots = db["allowance_slots"]

    async def take(self, key: str, limit: int) -> bool:
        ids = [f"{key}|{n}" for n in range(1, limit + 1)]
        taken = {d["_id"] for d in await self._slots.find({"_id": {"$in": ids}}).to_list(None)}
        for slot in (i for i in ids if i not in taken):
            try:
                await self._slots.insert_one({"_id": slot})
                return True
            except DuplicateKeyError:  # taken meanwhile by a concurrent request
                continue
        return False


class MongoQrLedger:
    def __init__(self, db: AsyncDatabase):
        self._used = db["qr_tokens_used"]

    async def use(self, token_id: str, person_id: str) -> bool:
        try:
            await self._used.insert_one({"_id": token_id, "person_id": person_id})
            return True
        except DuplicateKeyError:
            return False


class MongoShareStore:
    """Shares by id, and each person's list of share ids."""

    def __init__(self, db: AsyncDatabase):
        self._shares = db["shares"]
        self._by_person = db["shares_by_person"]

    async def add(self, share: Share) -> None:
        await self._shares.insert_one({"_id": share.share_id, **share.model_dump()})
        await upsert_by_id(
            self._by_person,
            share.person_id,
            {"$push": {"ids": share.share_id}},
            {"ids": [share.share_id]},
        )

    async def get(self, share_id: str) -> Share | None:
        doc = await self._shares.find_one({"_id": share_id})
        return None if doc is None else Share.model_validate(doc)

    async def save(self, share: Share) -> None:
        await self._shares.update_one({"_id": share.share_id}, {"$set": share.model_dump()})

    async def of_person(self, person_id: str) -> list[Share]:
        index = await self._by_person.find_one({"_id": person_id}) or {}
        ids = index.get("ids", [])[-50:]
        docs = await self._shares.find({"_id": {"$in": ids}}).to_list(None) if ids else []
        return sorted((Share.model_validate(d) for d in docs), key=lambda s: s.created_at)


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


class MongoCorrectionStore:
    """Corrections by id, and each person's list of ids."""

    def __init__(self, db: AsyncDatabase):
        self._corrections = db["corrections"]
        self._by_person = db["corrections_by_person"]

    async def add(self, correction: Correction) -> None:
        doc = correction.model_dump(mode="json")
        await self._corrections.insert_one({"_id": correction.correction_id, **doc})
        await upsert_by_id(
            self._by_person,
            correction.person_id,
            {"$push": {"ids": correction.correction_id}},
            {"ids": [correction.correction_id]},
        )

    async def of_person(self, person_id: str) -> list[Correction]:
        index = await self._by_person.find_one({"_id": person_id}) or {}
        ids = index.get("ids", [])[-100:]
        docs = await self._corrections.find({"_id": {"$in": ids}}).to_list(None) if ids else []
        return sorted((Correction.model_validate(d) for d in docs), key=lambda c: c.requested_at)
