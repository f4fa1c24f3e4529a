"""The stage of a batch of import rows (staged_batch.py): what the batch has read and written, and
the identity ports answered from it, reading through to the real index (or to the batch before,
still being stored) whatever it does not know yet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic
from hssk_identity.candidates import MAX_BLOCK
from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.domain.review import Review
from hssk_identity.one_by_one import BlocksOneByOne, PersonsOneByOne
from hssk_identity.ports import Holding, Index

T = TypeVar("T")


@dataclass
class Stage:
    """What the batch has read (None: known to be absent) and what it has written, each write
    tagged with the row (`row`) that made it."""

    real: Index
    row: int = 0
    holdings: dict[str, Holding | None] = field(default_factory=dict)
    persons: dict[str, Person | None] = field(default_factory=dict)
    blocks: dict[str, list[str]] = field(default_factory=dict)
    stored_blocks: set[str] = field(default_factory=set)  # blocks that existed before the batch
    not_matches: dict[tuple[str, str], bool] = field(default_factory=dict)
    reviews: dict[str, Review | None] = field(default_factory=dict)
    new: dict[str, int] = field(default_factory=dict)  # person registered here -> its row
    changed: set[str] = field(default_factory=set)  # persons stored before, changed here
    claims: dict[str, tuple[HolderCard, int]] = field(default_factory=dict)
    cards: dict[str, tuple[HolderCard, int]] = field(default_factory=dict)  # on older claims
    block_adds: list[tuple[str, str, int]] = field(default_factory=list)
    decisions: dict[str, tuple[dict, int]] = field(default_factory=dict)
    opened: list[tuple[Review, int]] = field(default_factory=list)
    events: list[tuple[Topic, Envelope, int]] = field(default_factory=list)
    touched: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    under: Stage | None = None  # the batch before, whose writes are being stored meanwhile

    def touch(self, person_id: str) -> None:
        self.touched[self.row].add(person_id)

    def inherit(self, table: str, keys: Iterable[Any]) -> list[Any]:
        """Take what the batch before knows of `keys` (what it read, and wrote: being stored);
        answers the keys neither batch knows, to be read from the real index."""
        known: dict[Any, Any] = getattr(self, table)
        before: dict[Any, Any] = getattr(self.under, table) if self.under else {}
        missing = []
        for key in keys:
            if key in known:
                continue
            if key not in before:
                missing.append(key)
            elif table == "blocks":  # a list this batch may add to
                known[key] = list(before[key])
                if known[key]:
                    self.stored_blocks.add(key)
            else:
                known[key] = before[key]
        return missing


class StagedPersons(PersonsOneByOne):
    def __init__(self, stage: Stage):
        self._s = stage

    async def holding(self, key: str) -> Holding | None:
        if self._s.inherit("holdings", [key]):
            self._s.holdings[key] = await self._s.real.persons.holding(key)
        return self._s.holdings[key]

    async def owner_of(self, key: str) -> str | None:
        held = await self.holding(key)
        return held.person_id if held else None

    async def claim(self, key: str, card: HolderCard) -> str:
        held = await self.holding(key)
        if held is not None:
            return held.person_id
        self._s.holdings[key] = Holding(card.person_id, card)
        self._s.claims[key] = (card, self._s.row)
        self._s.touch(card.person_id)
        return card.person_id

    async def reassign(self, key: str, card: HolderCard) -> None:
        raise NotImplementedError("merges are not staged")

    async def page(self, after: str, limit: int) -> list[Person]:
        raise NotImplementedError("maintenance is not staged")

    async def file_card(self, keys: list[str], card: HolderCard) -> None:
        s = self._s
        for key in keys:
            held = await self.holding(key)
            if held is None:
                continue
            current = card if card.person_id == held.person_id else None
            s.holdings[key] = Holding(held.person_id, current)
            if key not in s.claims:
                s.cards[key] = (card, s.row)
            elif current is not None:
                s.claims[key] = (card, s.claims[key][1])
        s.touch(card.person_id)

    async def add(self, person: Person) -> bool:
        if await self.get(person.person_id) is not None:
            return False
        self._s.persons[person.person_id] = person
        self._s.new[person.person_id] = self._s.row
        self._s.touch(person.person_id)
        return True

    async def save(self, person: Person) -> None:
        self._s.persons[person.person_id] = person
        if person.person_id not in self._s.new:
            self._s.changed.add(person.person_id)
        self._s.touch(person.person_id)

    async def get(self, person_id: str) -> Person | None:
        if self._s.inherit("persons", [person_id]):
            self._s.persons[person_id] = await self._s.real.persons.get(person_id)
        return self._s.persons[person_id]


class StagedBlocks(BlocksOneByOne):
    def __init__(self, stage: Stage):
        self._s = stage

    async def _list(self, key: str) -> list[str]:
        if self._s.inherit("blocks", [key]):
            found = await self._s.real.blocks.lists([key])
            self._s.blocks[key] = found.get(key, [])
            self._s.stored_blocks.update(found)
        return self._s.blocks[key]

    async def add(self, keys: list[str], person_id: str) -> None:
        for key in keys:
            members = await self._list(key)
            if person_id in members or len(members) > MAX_BLOCK:  # too common to be read:
                continue  # left as it is (no longer growing with every namesake of a city)
            members.append(person_id)
            self._s.block_adds.append((key, person_id, self._s.row))
        self._s.touch(person_id)

    async def members(self, keys: list[str], per_block: int) -> set[str]:
        found: set[str] = set()
        for key in keys:
            ids_ = await self._list(key)
            if len(ids_) <= per_block:
                found.update(ids_)
        return found

    async def lists(self, keys: list[str]) -> dict[str, list[str]]:
        return {key: list(members) for key in keys if (members := await self._list(key))}


class StagedReviews:
    def __init__(self, stage: Stage):
        self._s = stage

    async def open(self, review: Review) -> None:
        if await self.get(review.review_id) is None:
            self._s.reviews[review.review_id] = review
            self._s.opened.append((review, self._s.row))
            self._s.touch(review.person_id)

    async def get(self, review_id: str) -> Review | None:
        if self._s.inherit("reviews", [review_id]):
            self._s.reviews[review_id] = await self._s.real.reviews.get(review_id)
        return self._s.reviews[review_id]

    async def is_not_match(self, a: str, b: str) -> bool:
        if (a, b) not in self._s.not_matches:
            self._s.not_matches[(a, b)] = await self._s.real.reviews.is_not_match(a, b)
        return self._s.not_matches[(a, b)]

    async def list_open(self, ward: str | None) -> list[Review]:
        raise NotImplementedError("the review queue is not staged")

    async def save(self, review: Review) -> None:
        raise NotImplementedError("the review queue is not staged")

    async def remember_not_match(self, a: str, b: str) -> None:
        raise NotImplementedError("the review queue is not staged")

    async def not_matches_among(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(a, b) for a, b in pairs if await self.is_not_match(a, b)}


class StagedDecisions:
    def __init__(self, stage: Stage):
        self._s = stage

    async def record(self, cause: str, decision: dict) -> None:
        self._s.decisions.setdefault(cause, (decision, self._s.row))

    async def get(self, cause: str) -> dict | None:
        for stage in (self._s, self._s.under):
            if stage is not None and cause in stage.decisions:
                return stage.decisions[cause][0]
        return await self._s.real.decisions.get(cause)

    async def record_all(self, decisions: dict[str, dict]) -> None:
        for cause, decision in decisions.items():
            await self.record(cause, decision)


def unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))
