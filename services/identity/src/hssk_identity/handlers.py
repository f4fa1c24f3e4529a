"""Resolution: who is this? Identifiers decide first (with a conflict check), then the
probabilistic matcher over blocked candidates. Visits always land somewhere: an undecided one is
registered as a provisional person and queued for review, to be linked or kept apart later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from hssk_contracts import identifiers as ids
from hssk_contracts import topics
from hssk_contracts.codec import Problem
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import MatchDecision, VisitAccepted, VisitResolved, VisitResolvedData
from hssk_identity import metrics
from hssk_identity.candidates import score
from hssk_identity.domain import matching
from hssk_identity.domain.model import Model
from hssk_identity.domain.person import card
from hssk_identity.domain.query import Query, Resolution
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.ports import Index
from hssk_identity.registry import (
    PRODUCER,
    LostRace,
    all_holders,
    announce_created,
    current_person,
    holders_of,
    link,
    register,
    review_split,
    summary,
)
from hssk_kit.bus import Publish, Rejected

__all__ = ["Index", "Query", "Resolution", "on_visit_accepted", "resolve"]


async def resolve(
    query: Query,
    *,
    create: bool,
    cause: str,
    source: str,
    now: datetime,
    index: Index,
    publish: Publish,
    may_link: MayLink | None = None,
    model: Model = matching.CURRENT,
) -> Resolution:
    """Who this is. Only with `create` (a registration: a visit, or a reception registering
    its own patient) is anything written; without it the index is read, never changed.
    `may_link` says whether the caller may add identifiers to a person already known (a
    hospital: only to its own patients); None: it may. `model` weighs the evidence (the
    shipped one unless a retraining compares another)."""
    keys = query.match_keys
    first = await index.persons.holding(keys[0]) if keys else None
    if first is not None and query.answered_by(first.card, cause):  # a returning patient
        return Resolution("matched", first.person_id, matched_on=keys[0].split(":")[0])
    owners, first_holder = await holders_of(keys, index.persons, first.person_id if first else None)
    held = [(key, owner) for key, owner in owners.items() if owner]
    demographics = query.demographics()
    if held:
        key, owner = held[0]
        holder = first_holder or await current_person(index.persons, owner)
        if holder.created_by == cause:  # a replay of what registered this person: finish it
            await link(holder, query, owners, index, publish, source)
            holder = await current_person(index.persons, holder.person_id)
            await index.blocks.add(matching.blocking_keys(demographics), holder.person_id)
            await announce_created(holder, publish)
            review = await index.reviews.get(derive_event_id("review", cause))
            if review is not None:  # it was registered provisionally: the same answer again
                return Resolution.ranked(
                    "review",
                    holder.person_id,
                    review.candidates,
                    matched_on="none",
                    review_id=review.review_id,
                )
            return Resolution("created", holder.person_id, matched_on="none")
        if not matching.identifier_conflict(demographics, holder.demographics()):
            kind = key.split(":")[0]
            if not create:  # a lookup: who it is, and nothing written
                return Resolution("matched", holder.person_id, matched_on=kind)
            if refused := await _refused(may_link, holder.person_id):
                return Resolution("matched", holder.person_id, matched_on=kind, not_linked=refused)
            holder = await link(holder, query, owners, index, publish, source)
            if first is not None and first.card is None:  # registered before cards existed
                await index.persons.file_card(holder.match_keys, card(holder))
            split = {k: o for k, o in owners.items() if o and o not in (owner, holder.person_id)}
            if split:  # this citizen's other identifiers are held by someone else
                await review_split(holder, split, summary(query), now, index)
            return Resolution("matched", holder.person_id, matched_on=key.split(":")[0])
        held_by = matching.compare(demographics, holder.person_id, holder.demographics(), model)
        outcome = matching.Outcome(
            "review",
            held_by,
            [held_by],
            f"{key.split(':')[0]} belongs to a person whose name and birth date both differ",
            model.version,
        )
        owners = {k: o for k, o in owners.items() if o is None}  # never steal the identifier
    else:
        outcome = await score(demographics, cause, index, model)
    best, version = outcome.best, outcome.model_version
    candidates = [Candidate(c.person_id, c.total, c.weights) for c in outcome.ranked[:5]]
    if candidates and create:  # why this one and not them (none without candidates or a write)
        await index.decisions.record(
            cause,
            {
                "decision": outcome.decision,
                "reason": outcome.reason,
                "model": outcome.model_version,
                "at": now,
                "candidates": [
                    {"person_id": c.person_id, "score": c.score, "weights": c.weights}
                    for c in candidates
                ],
            },
        )
    if outcome.decision == "matched" and best is not None:
        holder = await current_person(index.persons, best.person_id)
        if not create:
            return Resolution.ranked("matched", holder.person_id, candidates, model=version)
        if refused := await _refused(may_link, holder.person_id):
            found = Resolution.ranked("matched", holder.person_id, candidates, model=version)
            return replace(found, not_linked=refused)
        await link(holder, query, owners, index, publish, source)
        await index.blocks.add(matching.blocking_keys(demographics), holder.person_id)
        return Resolution.ranked("matched", holder.person_id, candidates, model=version)
    if not create:
        return Resolution.ranked(outcome.decision, None, candidates, model=version)
    pending = tuple(c.person_id for c in candidates) if outcome.decision == "review" else ()
    try:
        person, taken = await register(query, owners, cause, source, index, publish, pending)
        if taken:  # a concurrent registration won a weaker identifier: likely the same citizen
            await review_split(person, taken, summary(query), now, index)
    except LostRace as race:  # registered concurrently by someone else: that is who this is
        winner = await current_person(index.persons, race.args[0])
        if refused := await _refused(may_link, winner.person_id):
            return Resolution(
                "matched", winner.person_id, matched_on="identifier", not_linked=refused
            )
        await link(winner, query, await all_holders(keys, index.persons), index, publish, source)
        return Resolution("matched", winner.person_id, matched_on="identifier")
    if outcome.decision == "new":
        return Resolution.ranked(
            "created", person.person_id, candidates, matched_on="none", model=version
        )
    review = Review(
        review_id=derive_event_id("review", cause),
        person_id=person.person_id,
        ward=query.commune_code,
        reason=outcome.reason,
        query=summary(query),
        candidates=candidates,
        created_at=now,
        model=version,
    )
    await index.reviews.open(review)
    metrics.REVIEWS_OPENED.inc()
    return Resolution.ranked(
        "review",
        person.person_id,
        candidates,
        matched_on="none",
        review_id=review.review_id,
        model=version,
    )


MayLink = Callable[[str], Awaitable[bool]]


async def _refused(may_link: MayLink | None, person_id: str) -> str | None:
    if may_link is None or await may_link(person_id):
        return None
    return "the person is known, but not as a patient of your facility: identifiers not added"


async def on_visit_accepted(
    event: VisitAccepted, *, now: datetime, index: Index, publish: Publish
) -> str:
    visit, patient = event.data.visit, event.data.visit.patient
    if not ids.match_keys([(i.type, i.value) for i in patient.identifiers]):
        raise Rejected(
            [
                Problem(
                    "data.visit.patient.identifiers",
                    "identifier_required",
                    "no usable identifier to resolve the person",
                )
            ]
        )
    query = Query(
        name=patient.name,
        identifiers=tuple(patient.identifiers),
        birth_date=patient.birth_date,
        sex=patient.sex,
        phone=patient.phone,
        commune_code=patient.commune_code,
        address=patient.address,
    )
    found = await resolve(
        query,
        create=True,
        cause=event.event_id,
        source=f"visit:{visit.key}",
        now=now,
        index=index,
        publish=publish,
    )
    assert found.person_id is not None
    await index.care.add(found.person_id, visit.facility_code)  # its own patient from now on
    decision: MatchDecision = "matched" if found.decision == "matched" else "created"
    await publish(
        topics.RECORDS_VISIT,
        VisitResolved.new(
            event_id=derive_event_id("visit-resolved", event.event_id),
            producer=PRODUCER,
            key=found.person_id,
            data=VisitResolvedData(
                person_id=found.person_id,
                visit=visit,
                decision=decision,
                matched_on=found.matched_on,
                accepted_event_id=event.event_id,
                content_hash=event.data.content_hash,
            ),
        ),
    )
    metrics.RESOLUTIONS.labels(found.decision, found.matched_on).inc()
    return found.person_id
