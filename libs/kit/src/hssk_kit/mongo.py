"""The MongoDB client factory and the Mongo-backed audit log. The only kit module importing the
driver (PyMongo's native asyncio API; Motor, its thread-pool wrapper, is deprecated upstream).

FerretDB v1 only avoids a full scan on `_id`, so the audit log keeps, beside the append-only
`audit_log` collection, one document per person (`audit_by_person`) that answers
"who looked at my record" by `_id`.
"""

from __future__ import annotations

import uuid

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_kit import metrics
from hssk_kit.audit import AuditEntry


def connect(url: str, db: str) -> tuple[AsyncMongoClient, AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(
        url,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        tz_aware=True,
        uuidRepresentation="standard",
    )
    return client, client[db]


async def ping(db: AsyncDatabase) -> None:
    await db.command("ping")


class MongoAuditLog:
    def __init__(self, db: AsyncDatabase, service: str):
        self._log = db["audit_log"]
        self._by_person = db["audit_by_person"]
        self._service = service

    async def append(self, entry: AuditEntry) -> None:
        doc = entry.to_doc()
        await self._log.insert_one({"_id": str(uuid.uuid4()), **doc})
        if entry.person_id:
            await upsert_by_id(
                self._by_person, entry.person_id, {"$push": {"entries": doc}}, {"entries": [doc]}
            )
        metrics.AUDITED.labels(self._service, entry.action, entry.outcome).inc()

    async def for_person(self, person_id: str, limit: int = 100) -> list[AuditEntry]:
        doc = await self._by_person.find_one({"_id": person_id})
        entries = (doc or {}).get("entries", [])[-limit:]
        return [AuditEntry(**e) for e in reversed(entries)]


async def is_ferretdb(db: AsyncDatabase) -> bool:
    info = await db.command("buildInfo")
    return "ferretdb" in info or "ferretdbVersion" in info


async def insert_or_update(collection, _id: str, doc: dict, update: dict | None = None) -> None:
    """Create the document `_id` as `doc`, or apply `update` (default: set `doc`'s fields) if it
    exists: one operation when it is new, two when not. The mirror of `upsert_by_id`, for
    documents usually new (receipts, blocking keys of new people). FerretDB fast paths only."""
    try:
        await collection.insert_one({"_id": _id, **doc})
    except DuplicateKeyError:
        await collection.update_one({"_id": _id}, update or {"$set": doc})


async def upsert_by_id(collection, _id: str, update: dict, new_doc: dict) -> None:
    """Update the document `_id`, or create it as `new_doc` if absent.

    FerretDB v1 only avoids a full scan when a filter is exactly `{"_id": …}`, and its upsert and
    replace paths scan, so this uses only `update_one({"_id"})` and `insert_one`."""
    if (await collection.update_one({"_id": _id}, update)).matched_count:
        return
    try:
        await collection.insert_one({"_id": _id, **new_doc})
    except DuplicateKeyError:  # created concurrently: apply the update to it
        await collection.update_one({"_id": _id}, update)
