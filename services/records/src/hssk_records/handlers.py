"""Handlers: a resolved visit is applied to the citizen's record and the change announced."""

from __future__ import annotations

from datetime import datetime, timedelta

from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    Appointment,
    Completeness,
    RecordChanged,
    RecordChangedData,
    VisitResolved,
)
from hssk_kit.bus import Publish
from hssk_records import metrics
from hssk_records.domain import template
from hssk_records.domain.record import Record, apply_visit, unannounced_change
from hssk_records.ports import ConcurrentUpdate, RecordRepository

PRODUCER = "records"
MAX_CONFLICTS = 5
VN_OFFSET = timedelta(hours=7)


def change_event(
    record: Record, kind: str, visit_key: str, cause: str, now: datetime
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
        current = await records.get(d.person_id)
        outcome = apply_visit(current, d.person_id, d.visit, d.content_hash)
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
