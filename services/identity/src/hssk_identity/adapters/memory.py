"""In-memory fakes of the identity ports, for fast unit tests (proven against the Mongo adapters
by tests/integration/test_adapters.py)."""

from __future__ import annotations

from dataclasses import replace

from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.domain.review import Review
from hssk_identity.one_by_one import BlocksOneByOne, PersonsOneByOne
from hssk_identity.ports import Holding


class InMemoryPersonRepository(PersonsOneByOne):
    def __init__(self) -> None:
        self.persons: dict[str, Person] = {}
        self.identifiers: dict[str, str] = {}
        self.cards: dict[str, HolderCard] = {}

    async def owner_of(self, key: str) -> str | None:
        return self.identifiers.get(key)

    async def holding(self, key: str) -> Holding | None:
        owner, card = self.identifiers.get(key), self.cards.get(key)
        if owner is None:
            return None
        return Holding(owner, card if card and card.person_id == owner else None)

    async def claim(self, key: str, card: HolderCard) -> str:
        if key not in self.identifiers:
            self.identifiers[key], self.cards[key] = card.person_id, card
        return self.identifiers[key]

    async def reassign(self, key: str, card: HolderCard) -> None:
        self.identifiers[key], self.cards[key] = card.person_id, card

    async def file_card(self, keys: list[str], card: HolderCard) -> None:
        for key in keys:
            if key in self.identifiers:
                self.cards[key] = card

    async def add(self, person: Person) -> bool:
        if person.person_id in self.persons:
            return False
        self.persons[person.person_id] = person
        return True

    async def save(self, person: Person) -> None:
        self.persons[person.person_id] = person

    async def get(self, person_id: str) -> Person | None:
        return self.persons.get(person_id)

    async def page(self, after: str, limit: int) -> list[Person]:
        return [self.persons[k] for k in sorted(k for k in self.persons if k > after)[:limit]]


class InMemoryBlockIndex(BlocksOneByOne):
    def __init__(self) -> None:
        self.blocks: dict[str, list[str]] = {}

    async def add(self, keys: list[str], person_id: str) -> None:
        for key in keys:
            members = self.blocks.setdefault(key, [])
            if person_id not in members:
                members.append(person_id)

    async def members(self, keys: list[str], per_block: int) -> set[str]:
        found: set[str] = set()
        for key in keys:
            ids = self.blocks.get(key, [])
            if len(ids) <= per_block:
                found.update(ids)
        return found

    async def lists(self, keys: list[str]) -> dict[str, list[str]]:
        return {key: list(self.blocks[key]) for key in keys if key in self.blocks}


class InMemoryReviewQueue:
    def __init__(self) -> None:
        self.reviews: dict[str, Review] = {}
        self.not_matches: set[str] = set()

    async def open(self, review: Review) -> None:
        self.reviews.setdefault(review.review_id, review)

    async def get(self, review_id: str) -> Review | None:
        return self.reviews.get(review_id)

    async def list_open(self, ward: str | None) -> list[Review]:
        return [
            r
            for r in self.reviews.values()
            if r.status == "open" and (ward is None or r.ward == ward)
        ]

    async def save(self, review: Review) -> None:
        self.reviews[review.review_id] = replace(review)

    async def remember_not_match(self, a: str, b: str) -> None:
        self.not_matches.add(f"{a}|{b}")

    async def is_not_match(self, a: str, b: str) -> bool:
        return f"{a}|{b}" in self.not_matches

    async def not_matches_among(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(a, b) for a, b in pairs if f"{a}|{b}" in self.not_matches}


class InMemoryDecisionLog:
    def __init__(self) -> None:
        self.decisions: dict[str, dict] = {}

    async def record(self, cause: str, decision: dict) -> None:
        self.decisions.setdefault(cause, decision)

    async def get(self, cause: str) -> dict | None:
        return self.decisions.get(cause)

    async def record_all(self, decisions: dict[str, dict]) -> None:
        for cause, decision in decisions.items():
            self.decisions.setdefault(cause, decision)


class InMemoryMergeLog:
    def __init__(self) -> None:
        self.merges: dict[str, dict] = {}

    async def record(
        self, merged_id: str, survivor_id: str, moved_keys: list[str], by: str
    ) -> None:
        self.merges[merged_id] = {
            "_id": merged_id,
            "survivor_id": survivor_id,
            "moved_keys": moved_keys,
            "by": by,
        }

    async def get(self, merged_id: str) -> dict | None:
        return self.merges.get(merged_id)

    async def forget(self, merged_id: str) -> None:
        self.merges.pop(merged_id, None)


class InMemoryCareRelations:
    def __init__(self) -> None:
        self.pairs: set[tuple[str, str]] = set()

    async def add(self, person_id: str, facility: str) -> None:
        self.pairs.add((person_id, facility))

    async def has(self, person_id: str, facility: str) -> bool:
        return (person_id, facility) in self.pairs


def in_memory_index():
    """Every identity port as an in-memory fake: for unit tests and the matching evaluation."""
    from hssk_identity.handlers import Index

    return Index(
        persons=InMemoryPersonRepository(),
        blocks=InMemoryBlockIndex(),
        reviews=InMemoryReviewQueue(),
        merges=InMemoryMergeLog(),
        decisions=InMemoryDecisionLog(),
        care=InMemoryCareRelations(),
    )
