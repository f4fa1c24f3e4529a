"""Resolving a batch of import rows at once: handlers.resolve runs unchanged, row after row,
against a stage (stage.py) filled by a few bulk reads, and what the rows wrote is stored in a
few bulk writes. FerretDB charges per command far more than per document."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import KeysView
from datetime import datetime

from hssk_contracts import identifiers as ids
from hssk_contracts import topics
from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic
from hssk_identity.bulk_import.stage import (
    Stage,
    StagedBlocks,
    StagedDecisions,
    StagedPersons,
    StagedReviews,
    unique,
)
from hssk_identity.candidates import MAX_BLOCK, fingerprint
from hssk_identity.domain import matching
from hssk_identity.domain import person as persons_domain
from hssk_identity.domain.person import HolderCard
from hssk_identity.domain.query import Query
from hssk_identity.person_events import person_event
from hssk_identity.ports import Index
from hssk_identity.registry import review_split, summary
from hssk_kit.bus import Publish

MERGE_HOPS = 10  # as registry.current_person follows them


class StagedIndex:
    """`index` and `publish` stand in for the real ones while the rows of one batch resolve
    (set `row` to each row's position first): rows of a batch see each other's writes, as rows
    resolved one after the other would. A batch may be resolved while the one before is stored
    (`under`): it takes what that one read and wrote, and reads the rest from the real index,
    which that store does not change. If that batch is not stored exactly as staged
    (`stored_as_staged`: a claim was lost, or storing failed), this one must be resolved again.
    """

    def __init__(self, real: Index, under: StagedIndex | None = None):
        """`under`: the batch before this one, if its writes are still being stored."""
        self._s: Stage = Stage(real, under=under.stage if under else None)
        self.stored_as_staged = False
        self.index = Index(
            persons=StagedPersons(self._s),
            blocks=StagedBlocks(self._s),
            reviews=StagedReviews(self._s),
            merges=real.merges,  # resolve never merges
            decisions=StagedDecisions(self._s),
            care=real.care,  # rows of a list are no visits: nothing is added
        )

    @property
    def stage(self) -> Stage:
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
        keys = unique(k for _, q in rows for k in q.match_keys)
        missing = s.inherit("holdings", keys)
        read = await real.persons.holdings(missing)
        s.holdings.update({key: read.get(key) for key in missing})
        held = {key: h for key in keys if (h := s.holdings[key])}
        wanted: list[str] = []
        unknown: list[tuple[str, Query]] = []
        for cause, query in rows:
            its = query.match_keys
            holders = [held[k].person_id for k in its if k in held]
            if not holders:
                unknown.append((cause, query))
            elif not (its[0] in held and query.answered_by(held[its[0]].card, cause)):
                wanted += holders  # resolve reads them (a card does not answer the row)
        demographics = [q.demographics() for _, q in unknown]
        block_keys = unique(k for d in demographics for k in matching.blocking_keys(d))
        missing = s.inherit("blocks", block_keys)
        found = await real.blocks.lists(missing)
        s.blocks.update({key: found.get(key, []) for key in missing})
        s.stored_blocks.update(found)
        members = [
            unique(
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
        pairs = unique((fingerprint(d), pid) for d, m in compared for pid in m)
        marked = await real.reviews.not_matches_among(pairs)
        s.not_matches.update({pair: pair in marked for pair in pairs})

    async def _load_persons(self, person_ids: list[str]) -> None:
        s = self._s
        for _ in range(MERGE_HOPS):  # and the survivors of merged ones
            missing = s.inherit("persons", unique(person_ids))
            found = await s.real.persons.get_many(missing)
            s.persons.update({pid: found.get(pid) for pid in missing})
            person_ids = [
                p.merged_into for pid in person_ids if (p := s.persons[pid]) and p.merged_into
            ]
            if not person_ids:
                return

    async def store(self, publish: Publish, now: datetime) -> set[int]:
        """Store the batch, keeping what registry.register guarantees a single resolution:
        1. new persons, as the batch left them: nothing leads to them yet (no claim, block or
           event);
        2. each new person's strongest identifier claim. Lost means a concurrent registration (a
           visit, another import) took it after the prefetch: that one is who the row is. The
           staged person stays unreachable (holding nothing, merged into the winner), and the
           rows that touched it are answered, to be resolved again on their own;
        3. every other claim: a person that lost one no longer lists it (saved, announced) and
           a split review pairs it with the holder;
        4. persons that existed and changed, identifier cards, blocks, decisions, reviews;
        5. the events, in the order the rows made them.
        A failure anywhere leaves what a stop among rows resolved one by one would: doing the
        batch again (resolve is idempotent by cause) finishes what it started."""
        s = self._s
        await s.real.persons.add_all([p for pid in s.new if (p := s.persons[pid])])
        firsts = self._first_claims()
        lost = await self._claim_first_identifiers(firsts)
        redo = {row for row, touched in s.touched.items() if touched & lost.keys()}
        dropped = await self._claim_the_rest(redo, {key for key, _ in firsts.values()})
        # One command at a time: SQLite writes one transaction at a time anyway.
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

    def _first_claims(self) -> dict[str, tuple[str, HolderCard]]:
        """Each new person's first (strongest) claim, by person."""
        firsts: dict[str, tuple[str, HolderCard]] = {}
        for key, (card, _) in self._s.claims.items():
            if card.person_id in self._s.new:
                firsts.setdefault(card.person_id, (key, card))
        return firsts

    async def _claim_first_identifiers(
        self, firsts: dict[str, tuple[str, HolderCard]]
    ) -> dict[str, str]:
        """Answers the persons that lost their first claim, with the winner. Those are kept
        unreachable: holding nothing, merged into the winner."""
        s = self._s
        holders = await s.real.persons.claim_all(list(firsts.values()))
        lost = {pid: holders[key] for pid, (key, _) in firsts.items() if holders[key] != pid}
        for pid, winner in lost.items():
            gone = s.persons[pid]
            assert gone is not None
            bumped = persons_domain.bump(gone, identifiers=(), merged_into=winner)
            await s.real.persons.save(bumped)
        return lost

    async def _claim_the_rest(self, redo: set[int], claimed: set[str]) -> dict[str, dict[str, str]]:
        """Every other claim; answers, per person, the identifiers it lost and who holds them."""
        s = self._s
        rest = [
            (key, card)
            for key, (card, row) in s.claims.items()
            if row not in redo and key not in claimed
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
        return topics.IDENTITY_PERSON, person_event("updated", fixed)
