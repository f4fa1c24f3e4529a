"""MongoDB adapters for the master citizen index. Every read is by `_id` (FerretDB v1 scans
anything else), and concurrent reads of a collection share one `$in` query (kit ByIdReader):
persons by person_id; identifiers by the identifier itself ("cccd:0010..."), so an active
identifier has one holder; blocks by blocking key; the open review queue per ward."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import asdict
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_contracts.visit import Identifier
from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.ports import Holding
from hssk_kit.mongo import BatchedInserts, ByIdReader, update_each, upsert_by_id

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
        return _holding(doc) if doc else None

    async def claim(self, key: str, card: HolderCard) -> str:
        doc = {"_id": key, "person_id": card.person_id, "card": _card_doc(card)}
        if await self._identifier_inserts.insert(doc):
            return card.person_id
        holder = await self._identifier_reads.get(key)
        return str(holder["person_id"]) if holder else await self.claim(key, card)

    async def reassign(self, key: str, card: HolderCard) -> None:
        fields = {"person_id": card.person_id, "card": _card_doc(card)}
        await upsert_by_id(self._identifiers, key, {"$set": fields}, fields)

    async def file_card(self, keys: list[str], card: HolderCard) -> None:
        for key in keys:
            await self._identifiers.update_one({"_id": key}, {"$set": {"card": _card_doc(card)}})

    async def add(self, person: Person) -> bool:
        return await self._person_inserts.insert({"_id": person.person_id, **_to_doc(person)})

    async def save(self, person: Person) -> None:
        await self._persons.update_one({"_id": person.person_id}, {"$set": _to_doc(person)})

    async def get(self, person_id: str) -> Person | None:
        doc = await self._person_reads.get(person_id)
        return _from_doc(doc) if doc else None

    async def holdings(self, keys: list[str]) -> dict[str, Holding]:
        docs = await self._identifier_reads.get_many(keys)
        return {key: _holding(doc) for key, doc in docs.items()}

    async def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        docs = await self._person_reads.get_many(person_ids)
        return {pid: _from_doc(doc) for pid, doc in docs.items()}

    async def page(self, after: str, limit: int) -> list[Person]:
        found = self._persons.find({"_id": {"$gt": after}}).sort("_id", 1).limit(limit)
        return [_from_doc(doc) async for doc in found]

    async def add_all(self, persons: list[Person]) -> set[str]:
        docs = [{"_id": p.person_id, **_to_doc(p)} for p in persons]
        stored = await self._person_inserts.insert_all(docs)
        return {p.person_id for p, new in zip(persons, stored, strict=True) if new}

    async def claim_all(self, claims: list[tuple[str, HolderCard]]) -> dict[str, str]:
        docs = [{"_id": key, "person_id": c.person_id, "card": _card_doc(c)} for key, c in claims]
        won = await self._identifier_inserts.insert_all(docs)
        holders = {key: c.person_id for (key, c), new in zip(claims, won, strict=True) if new}
        for key, c in claims:  # taken before: by whom (the rare case, one by one)
            if key not in holders:
                holders[key] = await self.claim(key, c)
        return holders

    async def save_all(self, persons: list[Person]) -> None:
        await update_each(self._persons, {p.person_id: {"$set": _to_doc(p)} for p in persons})

    async def file_cards(self, cards: dict[str, HolderCard]) -> None:
        filed = {key: {"$set": {"card": _card_doc(card)}} for key, card in cards.items()}
        await update_each(self._identifiers, filed)


class MongoBlockIndex:
    def __init__(self, db: AsyncDatabase):
        self._blocks = db["blocks"]
        self._reads = ByIdReader(self._blocks)
        self._inserts = BatchedInserts(self._blocks)

    async def add(self, keys: list[str], person_id: str) -> None:
        await self.add_all({key: [person_id] for key in keys})

    async def members(self, keys: list[str], per_block: int) -> set[str]:
        found: set[str] = set()
        for ids in (await self.lists(keys)).values():
            if len(ids) <= per_block:
                found.update(ids)
        return found

    async def lists(self, keys: list[str]) -> dict[str, list[str]]:
        docs = await self._reads.get_many(keys)
        return {key: list(doc.get("person_ids", [])) for key, doc in docs.items()}

    async def add_all(
        self, members: dict[str, list[str]], existing: AbstractSet[str] = frozenset()
    ) -> None:
        """Create the new blocks in one round trip, then add to those that existed (one
        `$addToSet` each, sent together). Blocks known to exist are not offered to the insert:
        one duplicate makes FerretDB v1 redo the whole insert a document (a transaction) at a
        time."""
        new = [key for key in members if key not in existing]
        stored = await self._inserts.insert_all(
            [{"_id": key, "person_ids": members[key]} for key in new]
        )
        grown = [k for k, created in zip(new, stored, strict=True) if not created]
        await update_each(
            self._blocks,
            {
                key: {"$addToSet": {"person_ids": {"$each": members[key]}}}
                for key in [*existing, *grown]
            },
        )


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

    async def not_matches_among(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        found = await self._not_match_reads.get_many([f"{a}|{b}" for a, b in pairs])
        return {(a, b) for a, b in pairs if f"{a}|{b}" in found}


class MongoDecisionLog:
    def __init__(self, db: AsyncDatabase):
        self._decisions = db["decisions"]
        self._inserts = BatchedInserts(self._decisions)

    async def record(self, cause: str, decision: dict) -> None:
        await self._inserts.insert({"_id": cause, **decision})  # on a replay the first stands

    async def get(self, cause: str) -> dict | None:
        return await self._decisions.find_one({"_id": cause})

    async def record_all(self, decisions: dict[str, dict]) -> None:
        await self._inserts.insert_all([{"_id": c, **d} for c, d in decisions.items()])


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


class MongoCareRelations:
    """One document per (person, facility) pair, `_id` "<person_id>|<facility>"."""

    def __init__(self, db: AsyncDatabase):
        self._pairs = db["care_relations"]
        self._inserts = BatchedInserts(self._pairs)  # concurrent visits share one insert_many
        self._reads = ByIdReader(self._pairs)

    async def add(self, person_id: str, facility: str) -> None:
        await self._inserts.insert({"_id": f"{person_id}|{facility}"})  # False if known: fine

    async def has(self, person_id: str, facility: str) -> bool:
        return await self._reads.get(f"{person_id}|{facility}") is not None


def _to_doc(p: Person) -> dict:
    """Field by field: dataclasses.asdict deep-copies every value, identifiers included."""
    doc = {name: getattr(p, name) for name in Person.__dataclass_fields__ if name != "person_id"}
    doc["identifiers"] = [i.model_dump() for i in p.identifiers]
    doc["pending_review_of"] = list(p.pending_review_of)
    return doc


def _card_doc(card: HolderCard) -> dict:
    return {
        "person_id": card.person_id,
        "birth_date": card.birth_date,
        "created_by": card.created_by,
        "identifiers": list(card.identifiers),
    }


def _from_doc(d: dict) -> Person:
    fields = {k: v for k, v in d.items() if k in Person.__dataclass_fields__}
    fields["identifiers"] = tuple(Identifier(**i) for i in d.get("identifiers", []))
    fields["pending_review_of"] = tuple(d.get("pending_review_of", ()))
    return Person(person_id=d["_id"], **{k: v for k, v in fields.items() if k != "person_id"})


def _holding(doc: dict) -> Holding:
    """The holder, with their card only while the card describes them."""
    card = doc.get("card")
    if card is None or card.get("person_id") != doc["person_id"]:
        return Holding(doc["person_id"], None)
    return Holding(doc["person_id"], _card(card))


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
