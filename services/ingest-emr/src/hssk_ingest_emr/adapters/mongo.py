"""MongoDB adapter: visit receipts keyed by `_id` = "<facility>:<visit id>"."""

from __future__ import annotations

from dataclasses import asdict

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_ingest_emr.domain.dead_letters import DeadLetter
from hssk_ingest_emr.domain.receipts import Receipt
from hssk_kit.mongo import BatchedInserts, ByIdReader, upsert_by_id


class MongoReceiptStore:
    def __init__(self, db: AsyncDatabase):
        self._receipts = db["receipts"]
        self._reads = ByIdReader(self._receipts)  # concurrent visits share one query
        self._inserts = BatchedInserts(self._receipts)

    async def get(self, key: str) -> Receipt | None:
        doc = await self._reads.get(key)
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
        if not await self._inserts.insert({"_id": receipt.key, **fields}):  # a new revision
            await self._receipts.update_one({"_id": receipt.key}, {"$set": fields})


class MongoDeadLetterStore:
    """Dead letters by `_id`, and a read model per facility (and "all") listing their ids, so
    listing needs no scan. Lists keep the newest MAX_INDEXED ids on MongoDB (FerretDB v1 ignores
    `$slice`, so locally they keep growing)."""

    MAX_INDEXED = 5000

    def __init__(self, db: AsyncDatabase):
        self._letters = db["dead_letters"]
        self._index = db["dead_letter_index"]

    async def add(self, letter: DeadLetter) -> None:
        try:
            await self._letters.insert_one({"_id": letter.dlq_id, **asdict(letter)})
        except DuplicateKeyError:
            return
        for key in {"all", letter.facility_code or "unknown"}:
            update = {"$push": {"ids": {"$each": [letter.dlq_id], "$slice": -self.MAX_INDEXED}}}
            await upsert_by_id(self._index, key, update, {"ids": [letter.dlq_id]})

    async def get(self, dlq_id: str) -> DeadLetter | None:
        doc = await self._letters.find_one({"_id": dlq_id})
        return _letter(doc) if doc else None

    async def save(self, letter: DeadLetter) -> None:
        await self._letters.update_one({"_id": letter.dlq_id}, {"$set": asdict(letter)})

    async def recent(self, facility_code: str | None, limit: int) -> list[DeadLetter]:
        index = await self._index.find_one({"_id": facility_code or "all"})
        ids = list(reversed((index or {}).get("ids", [])))
        found = []
        for dlq_id in dict.fromkeys(ids):
            letter = await self.get(dlq_id)
            if letter is not None:
                found.append(letter)
            if len(found) >= limit:
                break
        return found


def _letter(doc: dict) -> DeadLetter:
    return DeadLetter(**{k: v for k, v in doc.items() if k in DeadLetter.__dataclass_fields__})
