"""The MongoDB client factory and the Mongo-backed audit log. The only kit module importing motor.

FerretDB v1 only avoids a full scan on `_id`, so the audit log keeps, beside the append-only
`audit_log` collection, one document per person (`audit_by_person`) that answers
"who looked at my record" by `_id`.
"""

from __future__ import annotations

import uuid

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase

from hssk_kit import metrics
from hssk_kit.audit import AuditEntry


def connect(url: str, db: str) -> tuple[AsyncIOMotorClient, AsyncIOMotorDatabase]:
    client: AsyncIOMotorClient = AsyncIOMotorClient(
        url, serverSelectionTimeoutMS=3000, connectTimeoutMS=3000, tz_aware=True,
        uuidRepresentation="standard")
    return client, client[db]


async def ping(db: AsyncIOMotorDatabase) -> None:
    await db.command("ping")


class MongoAuditLog:
    def __init__(self, db: AsyncIOMotorDatabase, service: str):
        self._log = db["audit_log"]
        self._by_person = db["audit_by_person"]
        self._service = service

    async def append(self, entry: AuditEntry) -> None:
        doc = entry.to_doc()
        await self._log.insert_one({"_id": str(uuid.uuid4()), **doc})
        if entry.person_id:
            await self._by_person.update_one(
                {"_id": entry.person_id}, {"$push": {"entries": doc}}, upsert=True)
        metrics.AUDITED.labels(self._service, entry.action, entry.outcome).inc()

    async def for_person(self, person_id: str, limit: int = 100) -> list[AuditEntry]:
        doc = await self._by_person.find_one({"_id": person_id})
        entries = (doc or {}).get("entries", [])[-limit:]
        return [AuditEntry(**e) for e in reversed(entries)]
