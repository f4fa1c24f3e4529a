"""In-memory fake of the person repository, for fast unit tests."""

from __future__ import annotations

from hssk_identity.domain.person import Person


class InMemoryPersonRepository:
    def __init__(self) -> None:
        self.persons: dict[str, Person] = {}
        self.identifiers: dict[str, str] = {}

    async def owner_of(self, key: str) -> str | None:
        return self.identifiers.get(key)

    async def claim(self, key: str, person_id: str) -> str:
        return self.identifiers.setdefault(key, person_id)

    async def add(self, person: Person) -> None:
        self.persons.setdefault(person.person_id, person)

    async def get(self, person_id: str) -> Person | None:
        return self.persons.get(person_id)
