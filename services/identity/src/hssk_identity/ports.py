"""What the identity handlers need from the outside world."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.domain.review import Review


@dataclass(frozen=True)
class Holding:
    """Who holds an identifier, with their card when the identifier's document has a current one."""

    person_id: str
    card: HolderCard | None


class PersonRepository(Protocol):
    async def owner_of(self, key: str) -> str | None:
        """The person holding the active identifier `key` ("cccd:0010...")."""

    async def holding(self, key: str) -> Holding | None:
        """The holder of `key` and their card, in one read."""

    async def claim(self, key: str, card: HolderCard) -> str:
        """Give `key` to `card.person_id` unless someone holds it; return the holder."""

    async def reassign(self, key: str, card: HolderCard) -> None:
        """Move `key` to `card.person_id` (merges and unmerges only)."""

    async def file_card(self, keys: list[str], card: HolderCard) -> None:
        """Refresh the card kept on each of `keys` (a card of someone else than the holder is
        ignored on reading, so a racing move of a key cannot make a wrong card current)."""

    async def add(self, person: Person) -> bool:
        """Store a new person; adding the same person again is a no-op (and answers False)."""

    async def save(self, person: Person) -> None:
        """Store a changed person (its version is higher than the stored one)."""

    async def get(self, person_id: str) -> Person | None: ...

    async def page(self, after: str, limit: int) -> list[Person]:
        """Up to `limit` persons whose id sorts after `after`, in id order (maintenance)."""

    # Bulk forms, for resolving many rows at once (bulk_import/staged_batch.py): one round trip
    # each.
    async def holdings(self, keys: list[str]) -> dict[str, Holding]:
        """The holding of each of `keys` that is held."""

    async def get_many(self, person_ids: list[str]) -> dict[str, Person]: ...

    async def add_all(self, persons: list[Person]) -> set[str]:
        """Store new persons; answers the ids stored now (not those stored before)."""

    async def claim_all(self, claims: list[tuple[str, HolderCard]]) -> dict[str, str]:
        """`claim` for each (key, card); answers each key's holder."""

    async def save_all(self, persons: list[Person]) -> None:
        """`save` for each."""

    async def file_cards(self, cards: dict[str, HolderCard]) -> None:
        """`file_card` for each key and its card."""


class BlockIndex(Protocol):
    async def add(self, keys: list[str], person_id: str) -> None: ...

    async def members(self, keys: list[str], per_block: int) -> set[str]:
        """Person ids filed under any of `keys`; blocks larger than `per_block` are skipped."""

    async def lists(self, keys: list[str]) -> dict[str, list[str]]:
        """The members of each of `keys` that exists, whatever its size."""

    async def add_all(
        self, members: dict[str, list[str]], existing: AbstractSet[str] = ...
    ) -> None:
        """File each block's new members; the blocks in `existing` were just read as existing
        (a hint: they are added to without first trying to create them)."""


class ReviewQueue(Protocol):
    async def open(self, review: Review) -> None:
        """File a review; filing the same review id again is a no-op."""

    async def get(self, review_id: str) -> Review | None: ...

    async def list_open(self, ward: str | None) -> list[Review]: ...

    async def save(self, review: Review) -> None: ...

    async def remember_not_match(self, a: str, b: str) -> None: ...

    async def is_not_match(self, a: str, b: str) -> bool: ...

    async def not_matches_among(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """The pairs of `pairs` remembered as not a match."""


class DecisionLog(Protocol):
    async def record(self, cause: str, decision: dict) -> None:
        """Keep why a probabilistic decision was made (weights, candidates); once per cause."""

    async def get(self, cause: str) -> dict | None: ...

    async def record_all(self, decisions: dict[str, dict]) -> None:
        """`record` for each cause."""


class MergeLog(Protocol):
    async def record(
        self, merged_id: str, survivor_id: str, moved_keys: list[str], by: str
    ) -> None: ...

    async def get(self, merged_id: str) -> dict | None: ...

    async def forget(self, merged_id: str) -> None: ...


class CareRelations(Protocol):
    """Which facilities have sent a visit of which person: a hospital registering a known
    citizen may add identifiers only to its own patients."""

    async def add(self, person_id: str, facility: str) -> None:
        """Remember that `facility` saw the person (adding it again is a no-op)."""

    async def has(self, person_id: str, facility: str) -> bool: ...


@dataclass(frozen=True)
class Index:
    """Every port the resolution handlers use, passed as one."""

    persons: PersonRepository
    blocks: BlockIndex
    reviews: ReviewQueue
    merges: MergeLog
    decisions: DecisionLog
    care: CareRelations
