"""Handlers: a resolved visit is applied to the citizen's record and the change announced."""

from __future__ import annotations

from datetime import datetime, timedelta

from hssk_contracts import identifiers as ids
from hssk_contracts import topics
from hssk_contracts.envelope import Envelope, derive_event_id
from hssk_contracts.events import (
    Appointment,
    Completeness,
    PersonMerged,
    PersonSnapshot,
    PersonUnmerged,
    RecordChanged,
    RecordChangedData,
    VisitResolved,
)
from hssk_kit.bus import Publish
from hssk_records import metrics
from hssk_records.domain import merging, template
from hssk_records.domain.record import Record, apply_visit, unannounced_change
from hssk_records.ports import ConcurrentUpdate, PersonKeys, RecordRepository

PRODUCER = "records"
MAX_CONFLICTS = 5
VN_OFFSET = timedelta(hours=7)


def change_event(
    record: Record, kind: str, visit_key: str | None, cause: str, now: datetime
) -> RecordChanged:
    today = (now + VN_OFFSET).date()
    missing = template.missing(record)
    data = RecordChangedData(
        person_id=record.person_id,
        version=record.version,
        change=kind,  # type: ignore[arg-type]
        visit_key=visit_key,
        cause_event_id=cause,
        ward_code=record.ward_code,
        completeness=Completeness(
            filled=len(template.FIELDS) - len(missing), total=len(template.FIELDS), missing=missing
        ),
        appointments=[
            Appointment(date=d, facility_code=f, visit_key=k)
            for d, f, k in record.appointments(today)
        ],
    )
    return RecordChanged.new(
        event_id=derive_event_id("record-changed", cause),
        producer=PRODUCER,
        key=record.person_id,
        data=data,
        occurred_at=now,
    )


async def on_visit_resolved(
    event: VisitResolved, *, records: RecordRepository, publish: Publish, now: datetime
) -> str:
    d = event.data
    for _ in range(MAX_CONFLICTS):
        person_id, current = await _live_record(records, d.person_id)
        outcome = apply_visit(current, person_id, d.visit, d.content_hash)
        metrics.VISITS_APPLIED.labels(outcome.kind).inc()
        if outcome.kind == "replayed":
            assert current is not None and outcome.entry is not None
            pending = unannounced_change(current, outcome.entry)
            if pending:  # redelivered after a crash: announce exactly what was announced
                await publish(topics.RECORDS_CHANGE, RecordChanged.model_validate(pending))
            return outcome.kind
        if outcome.record is None:
            return outcome.kind
        change = change_event(outcome.record, outcome.kind, d.visit.key, event.event_id, now)
        stored = outcome.record.model_copy(
            update={"last_change": change.model_dump(mode="json", exclude_none=True)}
        )
        try:
            await records.save(stored, expected_version=current.version if current else 0)
        except ConcurrentUpdate:
            continue
        await publish(topics.RECORDS_CHANGE, change)
        return outcome.kind
    raise ConcurrentUpdate(f"record {d.person_id} kept changing under us")


async def _live_record(records: RecordRepository, person_id: str) -> tuple[str, Record | None]:
    """The record a visit belongs in: a merged person's visits go to the survivor."""
    record = await records.get(person_id)
    for _ in range(10):
        if record is None or record.merged_into is None:
            break
        person_id = record.merged_into
        record = await records.get(person_id)
    return person_id, record


async def on_person_event(
    event: Envelope,
    *,
    records: RecordRepository,
    keys: PersonKeys,
    publish: Publish,
    now: datetime,
) -> int:
    """Merges move the merged person's history into the survivor's record; unmerges move it
    back. Returns how many records changed. Every live person's identifiers are remembered, so
    an access naming a citizen only by identifiers (a dead letter read) reaches their log."""
    snapshot = event.data
    if isinstance(snapshot, PersonSnapshot) and snapshot.merged_into is None:
        found = ids.match_keys([(i.type, i.value) for i in snapshot.identifiers])
        if found:
            await keys.remember(found, snapshot.person_id)
    if not isinstance(event, PersonMerged | PersonUnmerged):
        return 0
    for _ in range(MAX_CONFLICTS):
        try:
            return await _apply_person_event(event, records, publish, now)
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(f"records of {event.data.person_id} kept changing under us")


async def _apply_person_event(
    event: PersonMerged | PersonUnmerged, records: RecordRepository, publish: Publish, now: datetime
) -> int:
    subject = await records.get(event.data.person_id)
    if isinstance(event, PersonMerged):
        survivor_id, kind = event.data.merged_into, "person_merged"
    else:
        survivor_id, kind = (subject.merged_into if subject else None), "person_unmerged"
    if survivor_id is None:
        return 0
    survivor = await records.get(survivor_id)
    if isinstance(event, PersonMerged):
        new_survivor, new_subject = merging.merge(survivor, subject, survivor_id)
    else:
        new_survivor, new_subject = merging.unmerge(survivor, subject)
    changed = 0
    for before, after in ((survivor, new_survivor), (subject, new_subject)):
        current = after or before
        if current is None:
            continue
        cause = f"{event.event_id}:{current.person_id}"
        if after is None:
            if (
                before is not None
                and before.last_change.get("data", {}).get("cause_event_id") == cause
            ):  # saved before a crash, not yet announced
                await publish(
                    topics.RECORDS_CHANGE, RecordChanged.model_validate(before.last_change)
                )
            continue
        change = change_event(after, kind, None, cause, now)
        await records.save(
            after.model_copy(
                update={"last_change": change.model_dump(mode="json", exclude_none=True)}
            ),
            expected_version=before.version if before else 0,
        )
        await publish(topics.RECORDS_CHANGE, change)
        changed += 1
    return changed
