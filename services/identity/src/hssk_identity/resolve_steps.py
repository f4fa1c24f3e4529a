"""The steps of a resolution (`handlers.resolve` lists them in order): each reads or writes the
index for one question and answers it, or hands on what the next step needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from hssk_contracts.envelope import derive_event_id
from hssk_identity import metrics
from hssk_identity.domain import matching
from hssk_identity.domain.model import Model
from hssk_identity.domain.person import Person, card
from hssk_identity.domain.query import Query, Resolution
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.person_events import announce
from hssk_identity.ports import Holding, Index
from hssk_identity.registry import (
    LostRace,
    all_holders,
    current_person,
    holders_of,
    link,
    register,
    review_split,
    summary,
)
from hssk_kit.bus import Publish

MayLink = Callable[[str], Awaitable[bool]]


@dataclass
class Resolving:
    """One resolution under way: what came in, where it may write, and what the steps found."""

    query: Query
    create: bool  # a registration (a visit, a reception): only then is anything written
    cause: str
    source: str
    now: datetime
    index: Index
    publish: Publish
    may_link: MayLink | None  # may the caller add identifiers to this person? None: yes
    model: Model
    owners: dict[str, str | None] = field(default_factory=dict)  # identifier key -> holder
    holder: Person | None = None  # the person holding the strongest identifier held
    held_key: str = ""
    first: Holding | None = None  # the strongest identifier's holding, with its card

    def __post_init__(self) -> None:
        self.keys = self.query.match_keys
        self.demographics = self.query.demographics()

    async def returning_patient(self) -> Resolution | None:
        """The strongest identifier's holder card lists all this query brings: one read."""
        self.first = first = await self.index.persons.holding(self.keys[0]) if self.keys else None
        if first is not None and self.query.answered_by(first.card, self.cause):
            return Resolution("matched", first.person_id, matched_on=self.keys[0].split(":")[0])
        return None

    async def find_holders(self) -> None:
        first = self.first.person_id if self.first else None
        self.owners, first_holder = await holders_of(self.keys, self.index.persons, first)
        held = [(key, owner) for key, owner in self.owners.items() if owner]
        if held:
            self.held_key, owner = held[0]
            self.holder = first_holder or await current_person(self.index.persons, owner)

    async def finish_own_registration(self) -> Resolution:
        """A replay of what registered this person: finish it, and answer as the first time."""
        holder = self.holder
        assert holder is not None
        await link(holder, self.query, self.owners, self.index, self.publish, self.source)
        holder = await current_person(self.index.persons, holder.person_id)
        await self.index.blocks.add(matching.blocking_keys(self.demographics), holder.person_id)
        await announce("created", holder, self.publish)
        review = await self.index.reviews.get(derive_event_id("review", self.cause))
        if review is not None:  # it was registered provisionally: the same answer again
            return Resolution.ranked(
                "review",
                holder.person_id,
                review.candidates,
                matched_on="none",
                review_id=review.review_id,
            )
        return Resolution("created", holder.person_id, matched_on="none")

    def identifier_trusted(self) -> bool:
        """The identifier's holder is not someone whose name and birth date both differ."""
        assert self.holder is not None
        return not matching.identifier_conflict(self.demographics, self.holder.demographics())

    async def link_by_identifier(self) -> Resolution:
        holder, kind = self.holder, self.held_key.split(":")[0]
        assert holder is not None
        if not self.create:  # a lookup: who it is, and nothing written
            return Resolution("matched", holder.person_id, matched_on=kind)
        if refused := await self._refused(holder.person_id):
            return Resolution("matched", holder.person_id, matched_on=kind, not_linked=refused)
        owner = self.owners[self.held_key]
        linked = await link(holder, self.query, self.owners, self.index, self.publish, self.source)
        if self.first is not None and self.first.card is None:  # registered before cards
            await self.index.persons.file_card(linked.match_keys, card(linked))
        split = {k: o for k, o in self.owners.items() if o and o not in (owner, linked.person_id)}
        if split:  # this citizen's other identifiers are held by someone else
            await review_split(linked, split, summary(self.query), self.now, self.index)
        return Resolution("matched", linked.person_id, matched_on=kind)

    def identifier_conflict_review(self) -> matching.Outcome:
        """Registered apart and reviewed, never linked; the held identifiers stay their
        holder's (only the unheld ones may be claimed)."""
        holder = self.holder
        assert holder is not None
        held_by = matching.compare(
            self.demographics, holder.person_id, holder.demographics(), self.model
        )
        self.owners = {k: o for k, o in self.owners.items() if o is None}
        return matching.Outcome(
            "review",
            held_by,
            [held_by],
            f"{self.held_key.split(':')[0]} belongs to a person whose name and birth date both"
            " differ",
            self.model.version,
        )

    async def explain(self, outcome: matching.Outcome) -> list[Candidate]:
        """The five best candidates; a registration keeps why it chose among them."""
        candidates = [Candidate(c.person_id, c.total, c.weights) for c in outcome.ranked[:5]]
        if candidates and self.create:
            await self.index.decisions.record(
                self.cause,
                {
                    "decision": outcome.decision,
                    "reason": outcome.reason,
                    "model": outcome.model_version,
                    "at": self.now,
                    "candidates": [
                        {"person_id": c.person_id, "score": c.score, "weights": c.weights}
                        for c in candidates
                    ],
                },
            )
        return candidates

    async def link_match(self, best: str, candidates: list[Candidate]) -> Resolution:
        holder = await current_person(self.index.persons, best)
        found = Resolution.ranked("matched", holder.person_id, candidates, model=self.model.version)
        if not self.create:
            return found
        if refused := await self._refused(holder.person_id):
            return replace(found, not_linked=refused)
        await link(holder, self.query, self.owners, self.index, self.publish, self.source)
        await self.index.blocks.add(matching.blocking_keys(self.demographics), holder.person_id)
        return found

    async def register_new(
        self, outcome: matching.Outcome, candidates: list[Candidate]
    ) -> Resolution:
        """A new person, or (undecided) a provisional one queued for review."""
        pending = tuple(c.person_id for c in candidates) if outcome.decision == "review" else ()
        try:
            person, taken = await register(
                self.query, self.owners, self.cause, self.source, self.index, self.publish, pending
            )
            if taken:  # a concurrent registration won a weaker identifier: likely the same one
                await review_split(person, taken, summary(self.query), self.now, self.index)
        except LostRace as race:  # registered concurrently by someone else: that is who this is
            return await self._join_winner(race.args[0])
        version = self.model.version
        if outcome.decision == "new":
            return Resolution.ranked(
                "created", person.person_id, candidates, matched_on="none", model=version
            )
        review = Review(
            review_id=derive_event_id("review", self.cause),
            person_id=person.person_id,
            ward=self.query.commune_code,
            reason=outcome.reason,
            query=summary(self.query),
            candidates=candidates,
            created_at=self.now,
            model=version,
        )
        await self.index.reviews.open(review)
        metrics.REVIEWS_OPENED.inc()
        return Resolution.ranked(
            "review",
            person.person_id,
            candidates,
            matched_on="none",
            review_id=review.review_id,
            model=version,
        )

    async def _join_winner(self, winner_id: str) -> Resolution:
        winner = await current_person(self.index.persons, winner_id)
        if refused := await self._refused(winner.person_id):
            return Resolution(
                "matched", winner.person_id, matched_on="identifier", not_linked=refused
            )
        holders = await all_holders(self.keys, self.index.persons)
        await link(winner, self.query, holders, self.index, self.publish, self.source)
        return Resolution("matched", winner.person_id, matched_on="identifier")

    async def _refused(self, person_id: str) -> str | None:
        if self.may_link is None or await self.may_link(person_id):
            return None
        return "the person is known, but not as a patient of your facility: identifiers not added"
