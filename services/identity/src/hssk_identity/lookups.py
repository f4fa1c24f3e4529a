"""Handlers for people asking the index: resolve (a lookup, or a registration), read a person,
read the review queue. Each leaves an audit entry; a ward officer asking about a person or a
review outside their ward is answered as if it did not exist."""

from __future__ import annotations

import uuid
from datetime import datetime

from hssk_contracts.events import PersonSnapshot
from hssk_identity import handlers
from hssk_identity.domain.query import Query, Resolution
from hssk_identity.domain.review import Review
from hssk_identity.ports import Index
from hssk_kit.audit import AuditEntry, AuditLog, Outcome
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish


def _entry(who: Principal, action: str, person_id: str | None, outcome: Outcome, **more):
    return AuditEntry(actor=who.subject, role=who.role, action=action, person_id=person_id,
                      outcome=outcome, facility=who.facility, ward=who.ward,
                      **{"purpose": "identity administration", **more})  # fmt: skip


def refused(who: Principal, action: str, detail: str) -> AuditEntry:
    """A caller refused before any person was named (a page of the desk opened by a role that
    may not use it): audited like a refusal of the API."""
    return _entry(who, action, None, "denied", detail=detail)


def in_scope(who: Principal, ward: str | None) -> bool:
    return who.role == "operator" or (ward is not None and ward == who.ward)


async def resolve_for(
    who: Principal,
    query: Query,
    *,
    create: bool,
    now: datetime,
    index: Index,
    publish: Publish,
    audit: AuditLog,
) -> Resolution:
    # Each call is its own cause: a repeat finds the person (by identifier or demographics)
    # and answers "matched", rather than replaying the first call's "created".
    facility = who.facility if who.role == "hospital" else None

    async def own_patient(person_id: str) -> bool:  # a hospital adds only to its own patients
        return facility is None or await index.care.has(person_id, facility)

    found = await handlers.resolve(
        query,
        create=create,
        cause=f"resolve:{uuid.uuid4()}",
        source=f"{who.role}:{who.facility or '-'}:{who.subject}",
        now=now,
        index=index,
        publish=publish,
        may_link=own_patient,
    )
    await audit.append(
        _entry(
            who,
            "identity.resolve",
            found.person_id,
            "allowed" if found.person_id else "not_found",
            purpose="registration" if create else "identification",
            detail=found.decision,
        )
    )
    return found


async def read_person(
    person_id: str, who: Principal, *, index: Index, audit: AuditLog
) -> PersonSnapshot | None:
    person = await index.persons.get(person_id)
    if person is None:
        outcome: Outcome = "not_found"
    else:
        outcome = "allowed" if in_scope(who, person.commune_code) else "denied"
    await audit.append(_entry(who, "person.read", person_id, outcome))
    return person.snapshot() if person is not None and outcome == "allowed" else None


async def open_reviews(who: Principal, *, index: Index, audit: AuditLog) -> list[Review]:
    ward = None if who.role == "operator" else who.ward
    items = await index.reviews.list_open(ward)
    await audit.append(_entry(who, "review.read", None, "allowed", detail=f"{len(items)} reviews"))
    return items


async def review_in_scope(review_id: str, who: Principal, *, index: Index, audit: AuditLog) -> bool:
    """Whether the caller may act on the review (one outside their ward is audited, unseen)."""
    review = await index.reviews.get(review_id)
    if review is None or in_scope(who, review.ward):
        return True  # an unknown review is refused (and audited) by the resolution itself
    await audit.append(
        _entry(who, "review.resolve", review.person_id, "denied", detail="outside the ward")
    )
    return False
