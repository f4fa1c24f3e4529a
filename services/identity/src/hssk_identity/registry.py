"""The index's bookkeeping: who holds which identifier, linking identifiers to a person,
registering a new person (and losing a race to a concurrent registration), announcing them, and
reviewing a citizen found held as two persons."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hssk_contracts import identifiers as ids
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.visit import Identifier
from hssk_identity import metrics
from hssk_identity.domain import matching
from hssk_identity.domain import person as persons_domain
from hssk_identity.domain.person import Person, card
from hssk_identity.domain.query import Query
from hssk_identity.domain.review import Candidate, Review
from hssk_identity.person_events import announce
from hssk_identity.ports import Index, PersonRepository
from hssk_kit.bus import Publish
from hssk_kit.merges import survivor


async def current_person(persons: PersonRepository, person_id: str) -> Person:
    """The person, following merges to the survivor."""
    _, person = await survivor(persons.get, person_id)
    if person is None:
        raise LookupError(f"person {person_id} is referenced but not stored")
    return person


async def all_holders(keys: list[str], persons: PersonRepository) -> dict[str, str | None]:
    return {key: await persons.owner_of(key) for key in keys}


async def holders_of(
    keys: list[str], persons: PersonRepository, first_key_holder: str | None
) -> tuple[dict[str, str | None], Person | None]:
    """Who holds each identifier (`keys[0]`'s holder is already known), and the first holder
    found. Identifiers that holder already has need no lookup of their own."""
    owners: dict[str, str | None] = {}
    for i, key in enumerate(keys):
        owners[key] = owner = first_key_holder if i == 0 else await persons.owner_of(key)
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


async def link(
    person: Person,
    query: Query,
    owners: dict[str, str | None],
    index: Index,
    publish: Publish,
    source: str,
) -> Person:
    """Identifiers seen for the first time become this person's, with `source` (the visit or
    registration that brought them) as their provenance; only identifiers it holds are listed
    on it (one held by someone else stays theirs). Only registration paths link."""
    mine = {k for k, o in owners.items() if o == person.person_id}
    to_be = card(persons_domain.with_identifiers(person, list(query.identifiers)))
    for key, owner in owners.items():
        if owner is None and await index.persons.claim(key, to_be) == person.person_id:
            mine.add(key)
    held = [i for i in query.identifiers if _key_in(i, mine)]
    updated = persons_domain.with_identifiers(person, held, source)
    if updated is not person:
        await index.persons.save(updated)
        await index.persons.file_card(updated.match_keys, card(updated))
        await announce("updated", updated, publish)
    return updated


async def register(
    query: Query,
    owners: dict[str, str | None],
    cause: str,
    source: str,
    index: Index,
    publish: Publish,
    pending_review_of: tuple[str, ...] = (),
) -> tuple[Person, dict[str, str]]:
    """Store the person holding nothing, claim its identifiers, then list only those it won:
    an identifier listed on a person is always claimed by it, whatever crash comes between.
    Identifiers are claimed strongest first, one at a time: if a concurrent registration won
    the first, that winner is who this is (two registrations each winning one of a CCCD and a
    BHYT card would otherwise split one citizen in two). Answers the person and the weaker
    identifiers it lost (key -> holder), for a review: that holder is likely the same citizen."""
    candidate = persons_domain.register(query, cause, source)
    person = replace(candidate, identifiers=(), pending_review_of=pending_review_of)
    first_time = await index.persons.add(person)
    free = [k for k, o in owners.items() if o is None]  # strongest first (ids.match_keys)
    won: set[str] = set()
    taken: dict[str, str] = {}
    for key in free:
        holder = await index.persons.claim(key, card(candidate))
        if holder == person.person_id:
            won.add(key)
        elif not won:  # the strongest free identifier went to a concurrent registration:
            raise LostRace(holder)  # that is who this is (claiming on would split the person)
        else:
            taken[key] = holder
    kept = tuple(i for i in query.identifiers if _key_in(i, won))
    stored = person if first_time else await index.persons.get(person.person_id) or person
    if kept and not stored.identifiers:
        stored = replace(stored, identifiers=kept)
        await index.persons.save(stored)
    await index.blocks.add(matching.blocking_keys(query.demographics()), person.person_id)
    await announce("created", stored, publish)
    return stored, taken


async def review_split(
    person: Person, held_by: dict[str, str], seen: dict, now: datetime, index: Index
) -> None:
    """`person` was brought identifiers held by others (`held_by`: key -> holder): one citizen
    held as two persons, after a race between two registrations or in older data. Each pair
    becomes one review (a ward officer links them, which merges the holder into `person`, or
    keeps them apart), opened once whatever brings it up again."""
    for other_id in sorted(set(held_by.values()) - {person.person_id}):
        other = await current_person(index.persons, other_id)
        if other.person_id == person.person_id:
            continue
        review_id = derive_event_id("split", *sorted((person.person_id, other.person_id)))
        if await index.reviews.get(review_id) is not None:
            continue
        kinds = sorted({k.split(":")[0] for k, o in held_by.items() if o == other_id})
        compared = matching.compare(other.demographics(), person.person_id, person.demographics())
        await index.reviews.open(
            Review(
                review_id=review_id,
                person_id=other.person_id,
                ward=other.commune_code or person.commune_code,
                reason=f"{' and '.join(kinds)} of this citizen held by another person",
                query=seen,
                candidates=[Candidate(person.person_id, compared.total, compared.weights)],
                created_at=now,
                model=matching.CURRENT.version,
            )
        )
        metrics.REVIEWS_OPENED.inc()


def summary(q: Query | Person) -> dict:
    """What came in (a query, or the person it registered), as a review shows it."""
    return {
        "name": q.name,
        "birth_date": q.birth_date,
        "sex": q.sex,
        "phone": q.phone,
        "commune_code": q.commune_code,
        "address": q.address,
        "identifiers": [i.model_dump() for i in q.identifiers],
    }


def _key_in(identifier: Identifier, keys: set[str]) -> bool:
    """Whether the identifier's lookup key is among `keys` (one without a key always is)."""
    key = ids.match_key(identifier.type, identifier.value)
    return key is None or key in keys


class LostRace(Exception):
    """Another registration claimed the identifiers first; `args[0]` is its person_id."""
