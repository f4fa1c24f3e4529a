"""What the identity handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from hssk_identity.domain.person import Person


class PersonRepository(Protocol):
    async def owner_of(self, key: str) -> str | None:
        """The person holding the active identifier `key` ("cccd:0010...")."""

    async def claim(self, key: str, person_id: str) -> str:
        """Give `key` to `person_id` unless someone holds it; return the holder."""

    async def add(self, person: Person) -> None:
        """Store a new person; adding the same person again is a no-op."""

    async def get(self, person_id: str) -> Person | None: ...
