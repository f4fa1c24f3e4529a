"""Resolving a batch of rows at once (the bulk import). handlers.resolve runs unchanged, row after
row, against a staged index: what the batch will read is fetched before, in a few bulk reads,
and what it writes is kept here, then stored in a few bulk writes. FerretDB charges per command
far more than per document (a document in a batch ~15 µs, a command ~150-400 µs), so a row costs
a fraction of a command instead of a dozen.

Rows of one batch see each other's writes, as rows resolved one after the other would: a list
naming one person twice links the second row to the first.

`store` keeps what registry.register guarantees to a single resolution, for the whole batch:
1. new persons, as the batch left them. Nothing leads to them yet: no identifier, block or event.
2. each new person's first (strongest) identifier claim. A claim lost here means a concurrent
   registration (a visit, another import) took that identifier after the prefetch: that one is
   who the row is. The staged person is kept unreachable, holding nothing, marked merged into
   the winner, and every row that touched it is resolved again on its own (`store` answers them).
3. every other claim; a person that lost one no longer lists it (saved again and announced),
   and a review asks whether that identifier's holder is the same citizen.
4. persons that existed and changed, identifier cards, blocks, decisions, reviews.
5. the events, in the order the rows made them.
A failure or stop anywhere leaves what a stop in the middle of rows resolved one by one would:
doing the batch again (resolve is idempotent by cause) finishes what it started.

The import resolves a batch while the one before is being stored (`under`): what that one read
or wrote is taken from it, the rest is read from the real index, which it does not change. If it
is not stored exactly as staged (`stored_as_staged`: a claim was lost, or storing failed), the
batch resolved on it must be resolved again.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, KeysView
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from hssk_contracts import identifiers as ids
from hssk_contracts import topics
from hssk_contracts.envelope import Envelope, derive_event_id
from hssk_contracts.events import PersonUpdated
from hssk_contracts.topics import Topic
from hssk_identity.candidates import MAX_BLOCK, fingerprint
from hssk_identity.domain import matching
from hssk_identity.domain import person as persons_domain
from hssk_identity.domain.person import HolderCard, Person
from hssk_identity.domain.query import Query
from hssk_identity.domain.review import Review
from hssk_identity.ports import Holding, Index
from hssk_identity.registry import PRODUCER, review_split, summary
from hssk_kit.bus import Publish

MERGE_HOPS = 10  # as registry.current_person follows them
T = TypeVar("T")


@dataclass
class _Stage:
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
    under: _Stage | None = None  # the batch before, whose writes are being stored meanwhile

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


class StagedIndex:
    """`index` and `publish` stand in for the real ones while the rows of one batch resolve;
    set `row` to the row's position before resolving it."""

    def __init__(self, real: Index, under: StagedIndex | None = None):
        """`under`: the batch before this one, if its writes are still being stored."""
        self._s: _Stage = _Stage(real, under=under.stage if under else None)
        self._first_claims: set[str] = set()
        self.stored_as_staged = False
        self.index = Index(
            persons=_Persons(self._s),
            blocks=_Blocks(self._s),
            reviews=_Reviews(self._s),
            merges=real.merges,  # resolve never merges
            decisions=_Decisions(self._s),
        )

    @property
    def stage(self) -> _Stage:
        return self._s

    def stored_under(self) -> None:
        """The batch before is stored: the real index now holds what this one took from it."""
        self._s.under = None

    @property
    def row(self) -> int:
        return self._s.row

    @row.setter
    def row(self, row: int) -> None:
        self._s.row = row

    async def publish(self, topic: Topic, event: Envelope) -> None:
        self._s.events.append((topic, event, self._s.row))

    async def prefetch(self, rows: list[tuple[str, Query]]) -> None:
        """Fetch what resolving `rows` ((cause, query) each) will read: the holders of their
        identifiers; for a row none of whose identifiers is held, the persons it may be
        compared with (its blocks, their members, not-a-match marks) and the one it would
        register. A row its identifier's card answers reads nothing more. Anything missed is
        read when asked for, so this only decides how fast."""
        s, real = self._s, self._s.real
        keys = _unique(k for _, q in rows for k in _match_keys(q))
        missing = s.inherit("holdings", keys)
        read = await real.persons.holdings(missing)
        s.holdings.update({key: read.get(key) for key in missing})
        held = {key: h for key in keys if (h := s.holdings[key])}
        wanted: list[str] = []
        unknown: list[tuple[str, Query]] = []
        for cause, query in rows:
            its = _match_keys(query)
            holders = [held[k].person_id for k in its if k in held]
            if not holders:
                unknown.append((cause, query))
            elif not (its[0] in held and query.answered_by(held[its[0]].card, cause)):
                wanted += holders  # resolve reads them (a card does not answer the row)
        demographics = [q.demographics() for _, q in unknown]
        block_keys = _unique(k for d in demographics for k in matching.blocking_keys(d))
        missing = s.inherit("blocks", block_keys)
        found = await real.blocks.lists(missing)
        s.blocks.update({key: found.get(key, []) for key in missing})
        s.stored_blocks.update(found)
        members = [
            _unique(
                pid
                for key in matching.blocking_keys(d)
                if len(s.blocks[key]) <= MAX_BLOCK
                for pid in s.blocks[key]
            )
            for d in demographics
        ]
        wanted += [persons_domain.new_person_id(cause) for cause, _ in unknown]
        await self._load_persons(wanted + [pid for m in members for pid in m])
        compared = zip(demographics, members, strict=True)
        pairs = _unique((fingerprint(d), pid) for d, m in compared for pid in m)
        marked = await real.reviews.not_matches_among(pairs)
        s.not_matches.update({pair: pair in marked for pair in pairs})

    async def _load_persons(self, person_ids: list[str]) -> None:
        s = self._s
        for _ in range(MERGE_HOPS):  # and the survivors of merged ones
            missing = s.inherit("persons", _unique(person_ids))
            found = await s.real.persons.get_many(missing)
            s.persons.update({pid: found.get(pid) for pid in missing})
            person_ids = [
                p.merged_into for pid in person_ids if (p := s.persons[pid]) and p.merged_into
            ]
            if not person_ids:
                return

    async def store(self, publish: Publish, now: datetime) -> set[int]:
        """Store the batch (in the order the module's docstring gives); answers the rows to
        resolve again one by one, after this, against the real index."""
        s = self._s
        await s.real.persons.add_all([p for pid in s.new if (p := s.persons[pid])])
        lost = await self._claim_first_identifiers()
        redo = {row for row, touched in s.touched.items() if touched & lost.keys()}
        dropped = await self._claim_the_rest(redo)
        # One command at a time: SQLite writes one transaction at a time anyway, and FerretDB
        # v1 was seen to stall on concurrent bulk updates.
        repaired = await self._save_persons(dropped, lost.keys(), now)
        await self._file_cards(redo)
        await s.real.blocks.add_all(*self._blocks_filed(redo))
        await s.real.decisions.record_all(
            {cause: d for cause, (d, row) in s.decisions.items() if row not in redo}
        )
        await self._open_reviews(redo)
        events = [(t, e) for t, e, row in s.events if row not in redo] + repaired
        await asyncio.gather(*(publish(topic, event) for topic, event in events))
        self.stored_as_staged = not lost and not dropped
        return redo

    async def _claim_first_identifiers(self) -> dict[str, str]:
        """Each new person's first claim; answers the persons that lost it, with the winner.
        Those are kept unreachable: holding nothing, merged into the winner."""
        s = self._s
        firsts: dict[str, tuple[str, HolderCard]] = {}
        for key, (card, _) in s.claims.items():
            if card.person_id in s.new:
                firsts.setdefault(card.person_id, (key, card))
        holders = await s.real.persons.claim_all(list(firsts.values()))
        lost = {pid: holders[key] for pid, (key, _) in firsts.items() if holders[key] != pid}
        for pid, winner in lost.items():
            gone = s.persons[pid]
            assert gone is not None
            bumped = persons_domain.bump(gone, identifiers=(), merged_into=winner)
            await s.real.persons.save(bumped)
        self._first_claims = {key for key, _ in firsts.values()}
        return lost

    async def _claim_the_rest(self, redo: set[int]) -> dict[str, dict[str, str]]:
        """Every other claim; answers, per person, the identifiers it lost and who holds them."""
        s = self._s
        rest = [
            (key, card)
            for key, (card, row) in s.claims.items()
            if row not in redo and key not in self._first_claims
        ]
        holders = await s.real.persons.claim_all(rest)
        dropped: dict[str, dict[str, str]] = defaultdict(dict)
        for key, card in rest:
            if holders[key] != card.person_id:
                dropped[card.person_id][key] = holders[key]
        return dropped

    async def _save_persons(
        self, dropped: dict[str, dict[str, str]], lost: KeysView[str], now: datetime
    ) -> list[tuple[Topic, Envelope]]:
        """Persons that existed and changed; and those that lost an identifier, which no
        longer list it (answers the events announcing that)."""
        s = self._s
        changed = [p for pid in s.changed - lost - dropped.keys() if (p := s.persons[pid])]
        await s.real.persons.save_all(changed)
        return [await self._drop(pid, held_by, now) for pid, held_by in dropped.items()]

    async def _file_cards(self, redo: set[int]) -> None:
        cards = {key: card for key, (card, row) in self._s.cards.items() if row not in redo}
        await self._s.real.persons.file_cards(cards)

    def _blocks_filed(self, redo: set[int]) -> tuple[dict[str, list[str]], set[str]]:
        """The new members of each block, and which of those blocks existed before."""
        adds: dict[str, list[str]] = defaultdict(list)
        for key, pid, row in self._s.block_adds:
            if row not in redo:
                adds[key].append(pid)
        return dict(adds), self._s.stored_blocks & adds.keys()

    async def _open_reviews(self, redo: set[int]) -> None:
        for review, row in self._s.opened:
            if row not in redo:
                await self._s.real.reviews.open(review)

    async def _drop(
        self, person_id: str, held_by: dict[str, str], now: datetime
    ) -> tuple[Topic, Envelope]:
        """The person no longer lists the identifiers whose claim it lost (saved, announced),
        and a review asks whether their holder is the same citizen."""
        person = self._s.persons[person_id]
        assert person is not None
        gone = [i for i in person.identifiers if ids.match_key(i.type, i.value) in held_by]
        fixed = persons_domain.without_identifiers(person, gone)
        await self._s.real.persons.save(fixed)
        await review_split(fixed, held_by, summary(person), now, self._s.real)
        return topics.IDENTITY_PERSON, PersonUpdated.new(
            event_id=derive_event_id("person-updated", person_id, str(fixed.version)),
            producer=PRODUCER,
            key=person_id,
            data=fixed.snapshot(),
        )


class _Persons:
    def __init__(self, stage: _Stage):
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

    async def holdings(self, keys: list[str]) -> dict[str, Holding]:
        return {key: held for key in keys if (held := await self.holding(key))}

    async def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        return {pid: p for pid in person_ids if (p := await self.get(pid))}

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


class _Blocks:
    def __init__(self, stage: _Stage):
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

    async def add_all(
        self, members: dict[str, list[str]], existing: AbstractSet[str] = frozenset()
    ) -> None:
        for key, person_ids in members.items():
            for person_id in person_ids:
                await self.add([key], person_id)


class _Reviews:
    def __init__(self, stage: _Stage):
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


class _Decisions:
    def __init__(self, stage: _Stage):
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


def _match_keys(q: Query) -> list[str]:
    return ids.match_keys([(i.type, i.value) for i in q.identifiers])


def _unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))
