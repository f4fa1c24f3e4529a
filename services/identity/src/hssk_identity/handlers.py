"""Resolution: who is this? Identifiers decide first (with a conflict check), then the
probabilistic matcher over blocked candidates. Visits always land somewhere: an undecided one is
registered as a provisional person and queued for review, to be linked or kept apart later."""

from __future__ import annotations

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
from hssk_identity.domain.query import Query, Resolution
from hssk_identity.person_events import PRODUCER
from hssk_identity.ports import Index
from hssk_identity.resolve_steps import MayLink, Resolving
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
    step = Resolving(query, create, cause, source, now, index, publish, may_link, model)
    if returning := await step.returning_patient():
        return returning
    await step.find_holders()
    if step.holder is not None and step.holder.created_by == cause:
        return await step.finish_own_registration()
    if step.holder is not None and step.identifier_trusted():
        return await step.link_by_identifier()
    if step.holder is not None:
        outcome = step.identifier_conflict_review()
    else:
        outcome = await score(step.demographics, cause, index, model)
    candidates = await step.explain(outcome)
    if outcome.decision == "matched" and outcome.best is not None:
        return await step.link_match(outcome.best.person_id, candidates)
    if not create:
        return Resolution.ranked(outcome.decision, None, candidates, model=model.version)
    return await step.register_new(outcome, candidates)


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
