"""Handlers for people acting on the index: resolve a review, merge two persons, unmerge.

A merge moves the merged person's identifiers to the survivor and remembers which; an unmerge
moves exactly those back. Each emits identity.person.v1 events, so records can move the history
both ways. Every action is audited.
"""

from __future__ import annotations

from dataclasses import replace

from hssk_identity import metrics
from hssk_identity.candidates import fingerprint
from hssk_identity.domain import person as persons_domain
from hssk_identity.domain.person import Person, card
from hssk_identity.domain.review import Resolution, Review
from hssk_identity.person_events import announce
from hssk_identity.ports import Index
from hssk_identity.registry import current_person
from hssk_kit.audit import AuditEntry, AuditLog, Outcome
from hssk_kit.bus import Publish


class ActionRefused(Exception):
    """The action cannot be done in the index's current state; the message says why."""


class Unknown(ActionRefused):
    """The action names a person or review the index does not have."""


async def _refused(
    exc: ActionRefused, audit: AuditLog, by: str, role: str, action: str, person_id: str
) -> None:
    outcome: Outcome = "not_found" if isinstance(exc, Unknown) else "denied"
    await audit.append(
        AuditEntry(actor=by, role=role, action=action, person_id=person_id,
                   purpose="identity administration", outcome=outcome, detail=str(exc)[:300])
    )  # fmt: skip


async def merge(
    survivor_id: str,
    merged_id: str,
    *,
    by: str,
    role: str,
    index: Index,
    publish: Publish,
    audit: AuditLog,
) -> Person:
    try:
        return await _merge(survivor_id, merged_id, by, role, index, publish, audit)
    except ActionRefused as exc:
        await _refused(exc, audit, by, role, "person.merge", merged_id)
        raise


async def _merge(
    survivor_id: str,
    merged_id: str,
    by: str,
    role: str,
    index: Index,
    publish: Publish,
    audit: AuditLog,
) -> Person:
    if survivor_id == merged_id:
        raise ActionRefused("a person cannot be merged into themselves")
    if await index.persons.get(survivor_id) is None:
        raise Unknown(f"no person {survivor_id}")
    survivor = await current_person(index.persons, survivor_id)
    merged = await index.persons.get(merged_id)
    if merged is None:
        raise Unknown(f"no person {merged_id}")
    if merged.merged_into:
        raise ActionRefused(f"person {merged_id} is already merged into {merged.merged_into}")
    if survivor.person_id == merged_id:
        raise ActionRefused("these two are already one person")
    moved = merged.match_keys
    kept = persons_domain.with_identifiers(survivor, list(merged.identifiers))
    for key in moved:
        await index.persons.reassign(key, card(kept))
    await index.merges.record(merged_id, survivor.person_id, moved, by)
    gone = persons_domain.bump(merged, merged_into=survivor.person_id)
    await index.persons.save(gone)
    if kept is not survivor:
        await index.persons.save(kept)
        await index.persons.file_card(survivor.match_keys, card(kept))
    await announce("merged", gone, publish, "merges")
    await announce("updated", kept, publish, "merges")
    await audit.append(
        AuditEntry(
            actor=by,
            role=role,
            action="person.merge",
            person_id=merged_id,
            purpose="duplicate record",
            outcome="allowed",
            detail=f"into {survivor.person_id}",
        )
    )
    metrics.MERGES.labels("merge").inc()
    return kept


async def unmerge(
    merged_id: str, *, by: str, role: str, index: Index, publish: Publish, audit: AuditLog
) -> Person:
    try:
        return await _unmerge(merged_id, by, role, index, publish, audit)
    except ActionRefused as exc:
        await _refused(exc, audit, by, role, "person.unmerge", merged_id)
        raise


async def _unmerge(
    merged_id: str, by: str, role: str, index: Index, publish: Publish, audit: AuditLog
) -> Person:
    entry = await index.merges.get(merged_id)
    merged = await index.persons.get(merged_id)
    if merged is None:
        raise Unknown(f"no person {merged_id}")
    if entry is None or not merged.merged_into:
        raise ActionRefused(f"person {merged_id} is not merged")
    survivor = await current_person(index.persons, entry["survivor_id"])
    restored = persons_domain.bump(merged, merged_into=None)
    for key in entry["moved_keys"]:
        await index.persons.reassign(key, card(restored))
    left = persons_domain.without_identifiers(survivor, list(merged.identifiers))
    await index.persons.save(restored)
    if left is not survivor:
        await index.persons.save(left)
        await index.persons.file_card(left.match_keys, card(left))
    await index.merges.forget(merged_id)
    await index.reviews.remember_not_match(fingerprint(restored.demographics()), survivor.person_id)
    await announce("unmerged", restored, publish, "merges")
    await announce("updated", left, publish, "merges")
    await audit.append(
        AuditEntry(
            actor=by,
            role=role,
            action="person.unmerge",
            person_id=merged_id,
            purpose="wrong merge",
            outcome="allowed",
            detail=f"out of {survivor.person_id}",
        )
    )
    metrics.MERGES.labels("unmerge").inc()
    return restored


async def resolve_review(
    review_id: str,
    resolution: Resolution,
    link_to: str | None,
    *,
    by: str,
    role: str,
    index: Index,
    publish: Publish,
    audit: AuditLog,
) -> Review:
    try:
        return await _resolve_review(
            review_id, resolution, link_to, by, role, index, publish, audit
        )
    except ActionRefused as exc:
        review = await index.reviews.get(review_id)
        person_id = review.person_id if review else None
        await audit.append(
            AuditEntry(actor=by, role=role, action="review.resolve", person_id=person_id,
                       purpose="identity review", outcome="denied", detail=str(exc)[:300])
        )  # fmt: skip
        raise


async def _resolve_review(
    review_id: str,
    resolution: Resolution,
    link_to: str | None,
    by: str,
    role: str,
    index: Index,
    publish: Publish,
    audit: AuditLog,
) -> Review:
    review = await index.reviews.get(review_id)
    if review is None:
        raise Unknown(f"no review {review_id}")
    if review.status != "open":
        raise ActionRefused(f"review {review_id} was already resolved ({review.resolution})")
    if resolution == "link":
        choices = {c.person_id for c in review.candidates}
        target = link_to or (review.candidates[0].person_id if review.candidates else None)
        if target is None or target not in choices:
            raise ActionRefused(f"link_to must be one of the candidates {sorted(choices)}")
        await merge(
            target, review.person_id, by=by, role=role, index=index, publish=publish, audit=audit
        )
        done = replace(
            review, status="linked", resolution=resolution, resolved_by=by, linked_to=target
        )
    else:
        provisional = await index.persons.get(review.person_id)
        if provisional is not None:
            seen_as = fingerprint(provisional.demographics())
            for c in review.candidates:  # remembered, so the same pair is not asked again
                await index.reviews.remember_not_match(seen_as, c.person_id)
        done = replace(review, status="kept_separate", resolution=resolution, resolved_by=by)
        if provisional is not None and provisional.pending_review_of:
            await index.persons.save(persons_domain.bump(provisional, pending_review_of=()))
    await index.reviews.save(done)
    await audit.append(
        AuditEntry(
            actor=by,
            role=role,
            action="review.resolve",
            person_id=review.person_id,
            purpose="identity review",
            outcome="allowed",
            detail=f"{review_id}: {resolution}",
        )
    )
    metrics.REVIEWS_RESOLVED.labels(resolution).inc()
    return done
