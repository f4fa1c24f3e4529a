"""Handlers of the FHIR read side: a citizen's Patient, its summary (`$summary`, the
International Patient Summary) and everything (`$everything`), read through
reading.read_record under actions of their own: the same access rules and audit as a record
read, each allowed read's entry naming the record version shown."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_records import reading
from hssk_records.domain import fhir_read, ips
from hssk_records.ports import EventLog, GrantStore, RecordRepository
from hssk_records.reading import Read
from hssk_records.writing import history

View = Literal["patient", "summary", "everything"]
ACTIONS: dict[View, str] = {
    "patient": "fhir.patient",
    "summary": "fhir.summary",
    "everything": "fhir.everything",
}


async def read(
    person_id: str,
    who: Principal,
    view: View,
    *,
    records: RecordRepository,
    events: EventLog,
    grants: GrantStore,
    audit: AuditLog,
    now: datetime,
    doctor_window: timedelta,
) -> tuple[Read, dict[str, Any] | None]:
    """(Read "ok", the resource) or (the refusal, None)."""
    found = await reading.read_record(
        person_id,
        who,
        records=records,
        events=events,
        grants=grants,
        audit=audit,
        now=now,
        doctor_window=doctor_window,
        action=ACTIONS[view],
    )
    record = found.record
    if found.status != "ok" or record is None:
        return found, None
    if view == "patient":
        return found, fhir_read.patient(record)
    if view == "summary":
        return found, ips.bundle(record, now=now)
    past = await history(record.person_id, record.version, events)
    visits = {e.visit.key: e.visit for e in past if e.visit is not None}  # latest revisions
    return found, fhir_read.everything(record, list(visits.values()), now=now)
