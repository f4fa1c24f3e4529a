"""Handlers of record reads: who may read, what each attempt leaves in the audit log (the record
version shown included), a record as it was at an instant, and its history. A caller who may not
know whether a record exists gets the same answer either way (a citizen: not found; a doctor:
no access), and a merged record's tombstone is shown only after the access check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from hssk_kit.audit import AuditEntry, AuditLog, Outcome
from hssk_kit.auth import Principal
from hssk_records import metrics
from hssk_records.domain import emergency
from hssk_records.domain.access import Access, doctor_refusal, may_read
from hssk_records.domain.events import RecordEvent, fold
from hssk_records.domain.record import Record
from hssk_records.ports import EventLog, GrantStore, RecordRepository
from hssk_records.writing import history, live

NOT_YOURS = "no record you may read has this id"


@dataclass(frozen=True)
class Read:
    status: Literal["ok", "not_found", "forbidden", "merged", "too_many", "invalid"]
    message: str = ""
    record: Record | None = None
    grant: emergency.Grant | None = None
    message_en: str | None = None
    events: list[RecordEvent] | None = None


def entry(who: Principal, person_id: str, action: str, outcome: Outcome, **more) -> AuditEntry:
    return AuditEntry(
        actor=who.subject,
        role=who.role,
        action=action,
        person_id=person_id,
        outcome=outcome,
        facility=who.facility,
        ward=who.ward,
        **{"purpose": "read", **more},
    )


async def allowed(
    person_id: str,
    who: Principal,
    action: str,
    *,
    records: RecordRepository,
    grants: GrantStore,
    audit: AuditLog,
    now: datetime,
    doctor_window: timedelta,
) -> tuple[Read, Access | None]:
    """Whether `who` may read the record (audited as `action`): (Read "ok" with the record,
    the access), or the refusal to answer."""
    stored = await records.get(person_id)
    _, judged = await live(records, person_id) if stored and stored.merged_into else (None, stored)
    if stored is None or judged is None:
        await audit.append(entry(who, person_id, action, "not_found"))
        metrics.READS.labels(who.role, "not_found").inc()
        if who.role == "doctor" and who.facility:
            return Read("forbidden", doctor_refusal(person_id, who.facility, doctor_window)), None
        return Read("not_found", NOT_YOURS), None
    grant = None
    if who.role == "doctor" and not judged.has_visit_at(who.facility or "", now - doctor_window):
        grant = await grants.get(who.subject, judged.person_id)  # only then: one read less
    if who.role == "citizen":  # a citizen's own id may be a merged one: judge that id
        judged = stored
    access = may_read(
        role=who.role,
        subject_person_id=who.person_id,
        facility=who.facility,
        record=judged,
        now=now,
        doctor_window=doctor_window,
        grant=grant,
    )
    metrics.READS.labels(who.role, "allowed" if access.allowed else "denied").inc()
    if not access.allowed:
        await audit.append(
            entry(who, person_id, action, "denied", purpose=access.purpose, detail=access.reason)
        )
        refusal = Read("not_found", NOT_YOURS) if who.role == "citizen" else None
        return refusal or Read("forbidden", access.reason), None
    return Read("ok", record=stored), access


def shown_entry(who: Principal, person_id: str, action: str, access: Access, version: int):
    return entry(
        who,
        person_id,
        action,
        "allowed",
        purpose=access.purpose,
        emergency=access.emergency,
        reason=access.reason if access.emergency else None,
        record_version=version,
    )


async def read_record(
    person_id: str,
    who: Principal,
    *,
    records: RecordRepository,
    events: EventLog,
    grants: GrantStore,
    audit: AuditLog,
    now: datetime,
    doctor_window: timedelta,
    as_of: datetime | None = None,
    action: str = "record.read",
) -> Read:
    """The record `who` may read (as it was at `as_of`), audited as `action` with the version
    shown; or the refusal. The FHIR read side reads through here under its own actions."""
    read, access = await allowed(
        person_id,
        who,
        action,
        records=records,
        grants=grants,
        audit=audit,
        now=now,
        doctor_window=doctor_window,
    )
    if access is None or read.record is None:
        return read
    shown: Record | None = read.record
    if as_of is not None:
        shown = fold(await history(read.record.person_id, read.record.version, events), as_of)
    if shown is None:
        await audit.append(entry(who, person_id, action, "not_found", detail="as_of"))
        return Read("not_found", f"the record did not exist yet at {as_of}")
    await audit.append(shown_entry(who, person_id, action, access, shown.version))
    if shown.merged_into:
        return Read("merged", f"merged into {shown.merged_into}; read that record", shown)
    return Read("ok", record=shown)


async def history_page(
    person_id: str,
    who: Principal,
    *,
    before: int | None,
    limit: int,
    records: RecordRepository,
    events: EventLog,
    grants: GrantStore,
    audit: AuditLog,
    now: datetime,
    doctor_window: timedelta,
) -> Read:
    """The record's events, newest first: version, time, what changed, by whom."""
    read, access = await allowed(
        person_id,
        who,
        "record.history",
        records=records,
        grants=grants,
        audit=audit,
        now=now,
        doctor_window=doctor_window,
    )
    if access is None or read.record is None:
        return read
    top = read.record.version if before is None else min(before - 1, read.record.version)
    versions = list(range(top, max(top - limit, 0), -1))
    found = await events.versions(read.record.person_id, versions)
    await audit.append(shown_entry(who, person_id, "record.history", access, read.record.version))
    return Read("ok", record=read.record, events=[found[v] for v in versions if v in found])
