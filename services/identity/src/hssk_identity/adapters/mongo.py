"""MongoDB adapters for the master citizen index. Every read is by `_id` (FerretDB v1 scans
anything else), and concurrent reads of a collection share one `$in` query (kit ByIdReader):
persons by person_id; identifiers by the identifier itself ("cccd:0010..."), so an active
identifier has one holder; blocks by blocking key; the open review queue per ward."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_contracts.visit import Identifier
from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.ports import Holding
from hssk_kit.mongo import BatchedInserts, ByIdReader, upsert_by_id

ALL_WARDS = "all"


class MongoPersonRepository:
    def __init__(self, db: AsyncDatabase):
        self._persons = db["persons"]
        self._identifiers = db["identifiers"]
        self._person_reads = ByIdReader(self._persons)
        self._identifier_reads = ByIdReader(self._identifiers)
        self._person_inserts = BatchedInserts(self._persons)
        self._identifier_inserts = BatchedInserts(self._identifiers)

    async def owner_of(self, key: str) -> str | None:
        doc = await self._identifier_reads.get(key)
        return doc["person_id"] if doc else None

    async def holding(self, key: str) -> Holding | None:
        doc = await self._identifier_reads.get(key)
        if doc is None:
            return None
        card = doc.get("card")
        if card is None or card.get("person_id") != doc["person_id"]:
            return Holding(doc["person_id"], None)
        return Holding(doc["person_id"], _card(card))

    async def claim(self, key: str, card: HolderCard) -> str:
        doc = {"_id": key, "person_id": card.person_id, "card": asdict(card)}
        if await self._identifier_inserts.insert(doc):
            return card.person_id
        holder = await self._identifier_reads.get(key)
        return str(holder["person_id"]) if holder else await self.claim(key, card)

    async def reassign(self, key: str, card: HolderCard) -> None:
        fields = {"person_id": card.person_id, "card": asdict(card)}
        await upsert_by_id(self._identifiers, key, {"$set": fields}, fields)

    async def file_card(self, keys: list[str], card: HolderCard) -> None:
        for key in keys:
            await self._identifiers.update_one({"_id": key}, {"$set": {"card": asdict(card)}})

    async def add(self, person: Person) -> bool:
        return await self._person_inserts.insert({"_id": person.person_id, **_to_doc(person)})

    async def save(self, person: Person) -> None:
        await self._persons.update_one({"_id": person.person_id}, {"$set": _to_doc(person)})

    async def get(self, person_id: str) -> Person | None:
        doc = await self._person_reads.get(person_id)
        return _from_doc(doc) if doc else None


class MongoBlockIndex:
    def __init__(self, db: AsyncDatabase):
        self._blocks = db["blocks"]
        self._reads = ByIdReader(self._blocks)
        self._inserts = BatchedInserts(self._blocks)

    async def add(self, keys: list[str], person_id: str) -> None:
        """Most keys of a new person are new blocks: insert them all in one round trip, then
        add the person to the blocks that already existed."""
        stored = await self._inserts.insert_all(
            [{"_id": key, "person_ids": [person_id]} for key in keys]
        )
        for key in (k for k, new in zip(keys, stored, strict=True) if not new):
            await self._blocks.update_one({"_id": key}, {"$addToSet": {"person_ids": person_id}})

    async def members(self, keys: list[str], per_block: int) -> set[str]:
        found: set[str] = set()
        for doc in (await self._reads.get_many(keys)).values():
            ids = doc.get("person_ids", [])
            if len(ids) <= per_block:
                found.update(ids)
        return found


class MongoReviewQueue:
    def __init__(self, db: AsyncDatabase):
        self._reviews = db["reviews"]
        self._queue = db["review_queue"]  # read model: open review ids per ward, and for all
        self._not_matches = db["not_matches"]
        self._not_match_reads = ByIdReader(self._not_matches)
        self._review_reads = ByIdReader(self._reviews)

    async def open(self, review: Review) -> None:
        try:
            await self._reviews.insert_one({"_id": review.review_id, **asdict(review)})
        except DuplicateKeyError:
            return
        for ward in {ALL_WARDS, review.ward or "-"}:
            await upsert_by_id(
                self._queue,
                ward,
                {"$addToSet": {"open": review.review_id}},
                {"open": [review.review_id]},
            )

    async def get(self, review_id: str) -> Review | None:
        doc = await self._review_reads.get(review_id)
        return _review(doc) if doc else None

    async def list_open(self, ward: str | None) -> list[Review]:
        doc = await self._queue.find_one({"_id": ward or ALL_WARDS})
        found = await self._review_reads.get_many((doc or {}).get("open", []))
        reviews = (_review(d) for d in found.values())
        return [r for r in reviews if r.status == "open"]

    async def save(self, review: Review) -> None:
        await self._reviews.update_one({"_id": review.review_id}, {"$set": asdict(review)})
        if review.status != "open":
            for ward in {ALL_WARDS, review.ward or "-"}:
                await self._queue.update_one({"_id": ward}, {"$pull": {"open": review.review_id}})

    async def remember_not_match(self, a: str, b: str) -> None:
        try:
            await self._not_matches.insert_one({"_id": f"{a}|{b}", "at": datetime.now(UTC)})
        except DuplicateKeyError:
            pass

    async def is_not_match(self, a: str, b: str) -> bool:
        return await self._not_match_reads.get(f"{a}|{b}") is not None


class MongoDecisionLog:
    def __init__(self, db: AsyncDatabase):
        self._decisions = db["decisions"]
        self._inserts = BatchedInserts(self._decisions)

    async def record(self, cause: str, decision: dict) -> None:
        await self._inserts.insert({"_id": cause, **decision})  # on a replay the first stands

    async def get(self, cause: str) -> dict | None:
        return await self._decisions.find_one({"_id": cause})


class MongoMergeLog:
    def __init__(self, db: AsyncDatabase):
        self._merges = db["merges"]

    async def record(
        self, merged_id: str, survivor_id: str, moved_keys: list[str], by: str
    ) -> None:
        fields = {
            "survivor_id": survivor_id,
            "moved_keys": moved_keys,
            "by": by,
            "at": datetime.now(UTC),
        }
        await upsert_by_id(self._merges, merged_id, {"$set": fields}, fields)

    async def get(self, merged_id: str) -> dict | None:
        doc = await self._merges.find_one({"_id": merged_id})
        return None if doc is None or doc.get("undone") else doc

    async def forget(self, merged_id: str) -> None:
        await self._merges.update_one({"_id": merged_id}, {"$set": {"undone": True}})


def _to_doc(p: Person) -> dict:
    doc = asdict(p)
    doc.pop("person_id")
    doc["identifiers"] = [i.model_dump() for i in p.identifiers]
    return doc


def _from_doc(d: dict) -> Person:
    fields = {k: v for k, v in d.items() if k in Person.__dataclass_fields__}
    fields["identifiers"] = tuple(Identifier(**i) for i in d.get("identifiers", []))
    fields["pending_review_of"] = tuple(d.get("pending_review_of", ()))
    return Person(person_id=d["_id"], **{k: v for k, v in fields.items() if k != "person_id"})


def _card(d: dict) -> HolderCard:
    return HolderCard(
        person_id=d["person_id"],
        birth_date=d.get("birth_date"),
        created_by=d["created_by"],
        identifiers=tuple(d.get("identifiers", ())),
    )


def _review(d: dict) -> Review:
    fields = {k: v for k, v in d.items() if k in Review.__dataclass_fields__}
    fields["candidates"] = [Candidate(**c) for c in d.get("candidates", [])]
    return Review(**fields)
