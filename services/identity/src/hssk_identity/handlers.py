"""Resolution: who is this? Identifiers decide first (with a conflict check), then the
probabilistic matcher over blocked candidates. Visits always land somewhere: an undecided one is
registered as a provisional person and queued for review, to be linked or kept apart later."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from hssk_contracts import identifiers as ids
from hssk_contracts import topics
from hssk_contracts.codec import Problem
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    MatchDecision,
    PersonCreated,
    PersonUpdated,
    VisitAccepted,
    VisitResolved,
    VisitResolvedData,
)
from hssk_contracts.visit import Identifier
from hssk_identity import metrics
from hssk_identity.domain import dates, matching, names
from hssk_identity.domain import person as persons_domain
from hssk_identity.domain.person import Person
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.ports import BlockIndex, DecisionLog, MergeLog, PersonRepository, ReviewQueue
from hssk_kit.bus import Publish, Rejected

PRODUCER = "identity"
MAX_BLOCK = 200
MAX_CANDIDATES = 100


@dataclass(frozen=True)
class Index:
    persons: PersonRepository
    blocks: BlockIndex
    reviews: ReviewQueue
    merges: MergeLog
    decisions: DecisionLog


@dataclass(frozen=True)
class Query:
    name: str
    identifiers: tuple[Identifier, ...] = ()
    birth_date: str | None = None
    sex: str = "unknown"
    phone: str | None = None
    commune_code: str | None = None
    address: str | None = None

    def demographics(self) -> matching.Demographics:
        return matching.Demographics(
            name=names.parse(self.name),
            birth=dates.parse_birth_date(self.birth_date),
            sex=self.sex,
            phone=self.phone,
            commune_code=self.commune_code,
            address=self.address,
            personal_id=persons_domain.personal_id(self.identifiers),
        )


@dataclass(frozen=True)
class Resolution:
    decision: str  # matched | review | new | created
    person_id: str | None
    score: float | None = None
    weights: dict[str, float] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    matched_on: str = "probabilistic"
    review_id: str | None = None


async def resolve(
    query: Query,
    *,
    create: bool,
    cause: str,
    source: str,
    now: datetime,
    index: Index,
    publish: Publish,
) -> Resolution:
    keys = ids.match_keys([(i.type, i.value) for i in query.identifiers])
    owners, first_holder = await _owners(keys, index.persons)
    held = [(key, owner) for key, owner in owners.items() if owner]
    demographics = query.demographics()
    if held:
        key, owner = held[0]
        holder = first_holder or await current_person(index.persons, owner)
        if holder.created_by == cause:  # a replay of what registered this person: finish it
            await _link(holder, query, owners, index, publish)
            holder = await current_person(index.persons, holder.person_id)
            await index.blocks.add(matching.blocking_keys(demographics), holder.person_id)
            await _announce_created(holder, publish)
            return Resolution("created", holder.person_id, matched_on="none")
        if not matching.identifier_conflict(demographics, holder.demographics()):
            await _link(holder, query, owners, index, publish)
            return Resolution("matched", holder.person_id, matched_on=key.split(":")[0])
        held_by = matching.compare(demographics, holder.person_id, holder.demographics())
        outcome = matching.Outcome(
            "review",
            held_by,
            [held_by],
            f"{key.split(':')[0]} belongs to a person whose name and birth date both differ",
        )
        owners = {k: o for k, o in owners.items() if o is None}  # never steal the identifier
    else:
        outcome = await _score(demographics, cause, index)
    best = outcome.best
    candidates = [Candidate(c.person_id, c.total, c.weights) for c in outcome.ranked[:5]]
    await index.decisions.record(
        cause,
        {
            "decision": outcome.decision,
            "reason": outcome.reason,
            "at": now,
            "candidates": [
                {"person_id": c.person_id, "score": c.score, "weights": c.weights}
                for c in candidates
            ],
        },
    )
    if outcome.decision == "matched" and best is not None:
        holder = await current_person(index.persons, best.person_id)
        await _link(holder, query, owners, index, publish)
        await index.blocks.add(matching.blocking_keys(demographics), holder.person_id)
        return Resolution("matched", holder.person_id, best.total, best.weights, candidates)
    if not create:
        return Resolution(
            outcome.decision,
            None,
            best.total if best else None,
            best.weights if best else {},
            candidates,
        )
    pending = tuple(c.person_id for c in candidates) if outcome.decision == "review" else ()
    try:
        person = await _register(query, owners, cause, source, index, publish, pending)
    except LostRace as race:  # registered concurrently by someone else: that is who this is
        winner = await current_person(index.persons, race.args[0])
        await _link(winner, query, await _owners_all(keys, index.persons), index, publish)
        return Resolution("matched", winner.person_id, matched_on="identifier")
    if outcome.decision == "new":
        return Resolution(
            "created",
            person.person_id,
            best.total if best else None,
            best.weights if best else {},
            candidates,
            matched_on="none",
        )
    review = Review(
        review_id=derive_event_id("review", cause),
        person_id=person.person_id,
        ward=query.commune_code,
        reason=outcome.reason,
        query=_summary(query),
        candidates=candidates,
        created_at=now,
    )
    await index.reviews.open(review)
    metrics.REVIEWS_OPENED.inc()
    return Resolution(
        "review",
        person.person_id,
        best.total if best else None,
        best.weights if best else {},
        candidates,
        matched_on="none",
        review_id=review.review_id,
    )


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


async def _owners_all(keys: list[str], persons: PersonRepository) -> dict[str, str | None]:
    return {key: await persons.owner_of(key) for key in keys}


async def _owners(
    keys: list[str], persons: PersonRepository
) -> tuple[dict[str, str | None], Person | None]:
    """Who holds each identifier, and the first holder found. Identifiers that holder already
    has need no lookup of their own (the common visit: a known CCCD and its BHYT card)."""
    owners: dict[str, str | None] = {}
    for i, key in enumerate(keys):
        owners[key] = owner = await persons.owner_of(key)
        if owner is None:
            continue
        holder = await persons.get(owner)
        if holder is None or holder.merged_into:
            return {**owners, **{k: await persons.owner_of(k) for k in keys[i + 1 :]}}, None
        known = set(holder.match_keys)
        for rest in keys[i + 1 :]:
            owners[rest] = owner if rest in known else await persons.owner_of(rest)
        return owners, holder
    return owners, None


async def _score(d: matching.Demographics, cause: str, index: Index) -> matching.Outcome:
    member_ids = await index.blocks.members(matching.blocking_keys(d), MAX_BLOCK)
    seen_as = fingerprint(d)
    comparisons = []
    pending: dict[str, tuple[str, ...]] = {}
    for pid in sorted(member_ids)[:MAX_CANDIDATES]:
        person = await index.persons.get(pid)
        if person is None or person.merged_into or person.created_by == cause:
            continue
        if await index.reviews.is_not_match(seen_as, pid):
            continue
        comparisons.append(matching.compare(d, pid, person.demographics()))
        pending[pid] = person.pending_review_of
    return matching.decide(_one_per_open_question(comparisons, pending))


def _one_per_open_question(
    comparisons: list[matching.Comparison], pending: dict[str, tuple[str, ...]]
) -> list[matching.Comparison]:
    """A provisional person and those it awaits review against are one open question: keep the
    best scoring of them, so the margin rule compares real rivals only."""
    kept: list[matching.Comparison] = []
    for c in sorted(comparisons, key=lambda c: c.total, reverse=True):
        tied = any(
            c.person_id in pending.get(k.person_id, ())
            or k.person_id in pending.get(c.person_id, ())
            for k in kept
        )
        if not tied:
            kept.append(c)
    return kept


async def current_person(persons: PersonRepository, person_id: str) -> Person:
    """The person, following merges to the survivor."""
    person = await persons.get(person_id)
    for _ in range(10):
        if person is None or not person.merged_into:
            break
        person = await persons.get(person.merged_into)
    if person is None:
        raise LookupError(f"person {person_id} is referenced but not stored")
    return person


async def _link(
    person: Person, query: Query, owners: dict[str, str | None], index: Index, publish: Publish
) -> None:
    """Identifiers seen for the first time become this person's; only identifiers it holds are
    listed on it (one held by someone else stays theirs)."""
    mine = {k for k, o in owners.items() if o == person.person_id}
    for key, owner in owners.items():
        if owner is None and await index.persons.claim(key, person.person_id) == person.person_id:
            mine.add(key)
    held = [i for i in query.identifiers if set(ids.match_keys([(i.type, i.value)])) <= mine]
    updated = persons_domain.with_identifiers(person, held)
    if updated is not person:
        await index.persons.save(updated)
        await publish(
            topics.IDENTITY_PERSON,
            PersonUpdated.new(
                event_id=derive_event_id("person-updated", updated.person_id, str(updated.version)),
                producer=PRODUCER,
                key=updated.person_id,
                data=updated.snapshot(),
            ),
        )


async def _register(
    query: Query,
    owners: dict[str, str | None],
    cause: str,
    source: str,
    index: Index,
    publish: Publish,
    pending_review_of: tuple[str, ...] = (),
) -> Person:
    """Store the person holding nothing, claim its identifiers, then list only those it won:
    an identifier listed on a person is always claimed by it, whatever crash comes between.
    If a concurrent registration won every identifier, that winner is who this is."""
    candidate = persons_domain.register(query, cause, source)
    person = replace(candidate, identifiers=(), pending_review_of=pending_review_of)
    await index.persons.add(person)
    free = [k for k, o in owners.items() if o is None]
    won = {k for k in free if await index.persons.claim(k, person.person_id) == person.person_id}
    if free and not won:
        raise LostRace(await index.persons.owner_of(free[0]) or "")
    kept = tuple(i for i in query.identifiers if set(ids.match_keys([(i.type, i.value)])) <= won)
    stored = await index.persons.get(person.person_id) or person
    if kept and not stored.identifiers:
        stored = replace(stored, identifiers=kept)
        await index.persons.save(stored)
    await index.blocks.add(matching.blocking_keys(query.demographics()), person.person_id)
    await _announce_created(stored, publish)
    return stored


class LostRace(Exception):
    """Another registration claimed the identifiers first; `args[0]` is its person_id."""


async def _announce_created(person: Person, publish: Publish) -> None:
    first = Person(**{**person.__dict__, "version": 1}) if person.version != 1 else person
    await publish(
        topics.IDENTITY_PERSON,
        PersonCreated.new(
            event_id=derive_event_id("person-created", person.person_id),
            producer=PRODUCER,
            key=person.person_id,
            data=first.snapshot(),
        ),
    )


def fingerprint(d: matching.Demographics) -> str:
    birth = f"{d.birth.year}-{d.birth.month}-{d.birth.day}" if d.birth else "-"
    return derive_event_id(
        "fingerprint", d.name.folded, birth, d.sex, d.phone or "", d.commune_code or ""
    )


def _summary(q: Query) -> dict:
    return {
        "name": q.name,
        "birth_date": q.birth_date,
        "sex": q.sex,
        "phone": q.phone,
        "commune_code": q.commune_code,
        "address": q.address,
        "identifiers": [i.model_dump() for i in q.identifiers],
    }
