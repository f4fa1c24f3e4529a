"""MongoDB adapter for the master citizen index.

`persons` is keyed by person_id; `identifiers` by the identifier itself ("cccd:001090012345"),
so every lookup is by `_id` and an active identifier can have only one holder.
"""

from __future__ import annotations

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from hssk_contracts.visit import Identifier
from hssk_identity.domain.person import Person


class MongoPersonRepository:
    def __init__(self, db: AsyncIOMotorDatabase):
        self._persons = db["persons"]
        self._identifiers = db["identifiers"]

    async def owner_of(self, key: str) -> str | None:
        doc = await self._identifiers.find_one({"_id": key})
        return doc["person_id"] if doc and doc.get("active", True) else None

    async def claim(self, key: str, person_id: str) -> str:
        try:
            await self._identifiers.insert_one({"_id": key, "person_id": person_id, "active": True})
            return person_id
        except DuplicateKeyError:
            doc = await self._identifiers.find_one({"_id": key})
            if doc is None:  # released between our insert and read: try again
                return await self.claim(key, person_id)
            return str(doc["person_id"])

    async def add(self, person: Person) -> None:
        try:
            await self._persons.insert_one(_to_doc(person))
        except DuplicateKeyError:
            pass

    async def get(self, person_id: str) -> Person | None:
        doc = await self._persons.find_one({"_id": person_id})
        return _from_doc(doc) if doc else None


def _to_doc(p: Person) -> dict:
    return {
        "_id": p.person_id,
        "version": p.version,
        "name": p.name,
        "identifiers": [i.model_dump() for i in p.identifiers],
        "birth_date": p.birth_date,
        "sex": p.sex,
        "commune_code": p.commune_code,
        "created_by": p.created_by,
    }


def _from_doc(d: dict) -> Person:
    return Person(
        person_id=d["_id"],
        version=d["version"],
        name=d["name"],
        identifiers=tuple(Identifier(**i) for i in d["identifiers"]),
        birth_date=d.get("birth_date"),
        sex=d.get("sex", "unknown"),
        commune_code=d.get("commune_code"),
        created_by=d["created_by"],
    )
