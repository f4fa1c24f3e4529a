"""The bulk forms of the identity ports done one call at a time, for stores where a call costs
nothing: the in-memory fakes, and a batch's stage (bulk_import/stage.py). Each then writes its
single forms."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Set as AbstractSet

from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.ports import Holding


class PersonsOneByOne(ABC):
    @abstractmethod
    async def holding(self, key: str) -> Holding | None: ...

    @abstractmethod
    async def get(self, person_id: str) -> Person | None: ...

    @abstractmethod
    async def add(self, person: Person) -> bool: ...

    @abstractmethod
    async def claim(self, key: str, card: HolderCard) -> str: ...

    @abstractmethod
    async def save(self, person: Person) -> None: ...

    @abstractmethod
    async def file_card(self, keys: list[str], card: HolderCard) -> None: ...

    async def holdings(self, keys: list[str]) -> dict[str, Holding]:
        return {key: held for key in keys if (held := await self.holding(key))}

    async def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        return {pid: person for pid in person_ids if (person := await self.get(pid))}

    async def add_all(self, persons: list[Person]) -> set[str]:
        return {p.person_id for p in persons if await self.add(p)}

    async def claim_all(self, claims: list[tuple[str, HolderCard]]) -> dict[str, str]:
        return {key: await self.claim(key, card) for key, card in claims}

    async def save_all(self, persons: list[Person]) -> None:
        for person in persons:
            await self.save(person)

    async def file_cards(self, cards: dict[str, HolderCard]) -> None:
        for key, card in cards.items():
            await self.file_card([key], card)


class BlocksOneByOne(ABC):
    @abstractmethod
    async def add(self, keys: list[str], person_id: str) -> None: ...

    async def add_all(
        self, members: dict[str, list[str]], existing: AbstractSet[str] = frozenset()
    ) -> None:
        for key, person_ids in members.items():
            for person_id in person_ids:
                await self.add([key], person_id)
