"""Handlers: an accepted visit is resolved to a person and forwarded keyed by person_id."""

from __future__ import annotations

from hssk_contracts import topics
from hssk_contracts.codec import Problem
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    MatchDecision,
    PersonCreated,
    VisitAccepted,
    VisitResolved,
    VisitResolvedData,
)
from hssk_identity import metrics
from hssk_identity.domain import person as persons_domain
from hssk_identity.ports import PersonRepository
from hssk_kit.bus import Publish, Rejected

PRODUCER = "identity"


async def on_visit_accepted(
    event: VisitAccepted, *, persons: PersonRepository, publish: Publish
) -> str:
    visit = event.data.visit
    candidate = persons_domain.register(visit.patient, event.event_id)
    keys = candidate.match_keys
    if not keys:
        raise Rejected(
            [
                Problem(
                    "data.visit.patient.identifiers",
                    "identifier_required",
                    "no usable identifier to resolve the person",
                )
            ]
        )
    owners = {key: await persons.owner_of(key) for key in keys}
    held = [(key, owner) for key, owner in owners.items() if owner]
    person_id, matched_on = (held[0][1], held[0][0].split(":")[0]) if held else (None, "")
    decision: MatchDecision = "matched"
    if person_id is None:
        await persons.add(candidate)
        person_id = await persons.claim(keys[0], candidate.person_id)
        matched_on = keys[0].split(":")[0]
        owners[keys[0]] = person_id
    for key, owner in owners.items():
        if owner is None:  # an identifier seen for the first time links to this person
            await persons.claim(key, person_id)
    if person_id == candidate.person_id:
        # This event registered the person (now or before a crash): announce it (same id again).
        decision = "created"
        await publish(
            topics.IDENTITY_PERSON,
            PersonCreated.new(
                event_id=derive_event_id("person-created", person_id),
                producer=PRODUCER,
                key=person_id,
                data=candidate.snapshot(),
            ),
        )
    resolved = VisitResolved.new(
        event_id=derive_event_id("visit-resolved", event.event_id),
        producer=PRODUCER,
        key=person_id,
        data=VisitResolvedData(
            person_id=person_id,
            visit=visit,
            decision=decision,
            matched_on=matched_on,
            accepted_event_id=event.event_id,
            content_hash=event.data.content_hash,
        ),
    )
    await publish(topics.RECORDS_VISIT, resolved)
    metrics.RESOLUTIONS.labels(decision, matched_on).inc()
    return person_id
