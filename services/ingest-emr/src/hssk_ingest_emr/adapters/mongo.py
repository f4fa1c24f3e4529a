"""MongoDB adapter: visit receipts keyed by `_id` = "<facility>:<visit id>"."""

from __future__ import annotations

from motor.motor_asyncio import AsyncIOMotorDatabase

from hssk_ingest_emr.domain.receipts import Receipt
from hssk_kit.mongo import upsert_by_id


class MongoReceiptStore:
    def __init__(self, db: AsyncIOMotorDatabase):
        self._receipts = db["receipts"]

    async def get(self, key: str) -> Receipt | None:
        doc = await self._receipts.find_one({"_id": key})
        if doc is None:
            return None
        return Receipt(
            key=doc["_id"],
            revision=doc["revision"],
            sent_at=doc["sent_at"],
            content_hash=doc["content_hash"],
            event_id=doc["event_id"],
        )

    async def put(self, receipt: Receipt) -> None:
        fields = {
            "revision": receipt.revision,
            "sent_at": receipt.sent_at,
            "content_hash": receipt.content_hash,
            "event_id": receipt.event_id,
        }
        await upsert_by_id(self._receipts, receipt.key, {"$set": fields}, fields)
