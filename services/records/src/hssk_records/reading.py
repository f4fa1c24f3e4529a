"""Handlers of record reads: who may read, what each attempt leaves in the audit log, and the
emergency access a doctor opens. A caller who may not know whether a record exists gets the
same answer either way (a citizen: not found; a doctor: no access), and a merged record's
tombstone is shown only after the access check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from hssk_kit.audit import AuditEntry, AuditLog, Outcome
from hssk_kit.auth import Principal
from hssk_records import metrics
from hssk_records.domain import emergency
from hssk_records.domain.access import Access, doctor_refusal, may_read
from hssk_records.domain.record import Record
from hssk_records.ports import GrantStore, RecordRepository

VN = timedelta(hours=7)
NOT_YOURS = "no record you may read has this id"


@dataclass(frozen=True)
class Read:
    status: Literal["ok", "not_found", "forbidden", "merged", "too_many", "invalid"]
    message: str = ""
    record: Record | None = None
    message_en: str | None = None
    grant: emergency.Grant | None = None


def _entry(who: Principal, person_id: str, action: str, outcome: Outcome, **more) -> AuditEntry:
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


async def live(records: RecordRepository, person_id: str) -> Record | None:
    """The record, following merges to the survivor."""
    record = await records.get(person_id)
    for _ in range(10):
        if record is None or record.merged_into is None:
            break
        record = await records.get(record.merged_into)
    return record


async def read_record(
    person_id: str,
    who: Principal,
    *,
    records: RecordRepository,
    grants: GrantStore,
    audit: AuditLog,
    now: datetime,
    doctor_window: timedelta,
) -> Read:
    stored = await records.get(person_id)
    judged = await live(records, person_id) if stored and stored.merged_into else stored
    if stored is None or judged is None:
        await audit.append(_entry(who, person_id, "record.read", "not_found"))
        metrics.READS.labels(who.role, "not_found").inc()
        if who.role == "doctor" and who.facility:
            return Read("forbidden", doctor_refusal(person_id, who.facility, doctor_window))
        return Read("not_found", NOT_YOURS)
    grant = await grants.get(who.subject, judged.person_id) if who.role == "doctor" else None
    if who.role == "citizen":  # a citizen's own id may be a merged one: judge that id
        judged = stored.model_copy(update={"person_id": person_id})
    access = may_read(
        role=who.role,
        subject_person_id=who.person_id,
        facility=who.facility,
        record=judged,
        now=now,
        doctor_window=doctor_window,
        grant=grant,
    )
    await audit.append(_read_entry(who, person_id, access, stored))
    metrics.READS.labels(who.role, "allowed" if access.allowed else "denied").inc()
    if not access.allowed:
        return (
            Read("not_found", NOT_YOURS)
            if who.role == "citizen"
            else Read("forbidden", access.reason)
        )
    if stored.merged_into:
        return Read("merged", f"merged into {stored.merged_into}; read that record", stored)
    return Read("ok", record=stored)


def _read_entry(who: Principal, person_id: str, access: Access, shown: Record) -> AuditEntry:
    return _entry(
        who,
        person_id,
        "record.read",
        "allowed" if access.allowed else "denied",
        purpose=access.purpose,
        emergency=access.emergency,
        reason=access.reason if access.emergency else None,
        detail=None if access.allowed else access.reason,
        record_version=shown.version if access.allowed else None,
    )


async def open_emergency_access(
    person_id: str,
    who: Principal,
    *,
    purpose: str,
    reason: str,
    records: RecordRepository,
    grants: GrantStore,
    audit: AuditLog,
    now: datetime,
    lasts: timedelta,
    per_day: int,
) -> Read:
    """Open (or renew) the doctor's emergency access to a record, within the daily allowance."""
    action, stated = "record.emergency_access", f"{purpose}: {reason}"[:600]
    if refused := emergency.reason_problem(reason):
        await audit.append(_entry(who, person_id, action, "denied", purpose="emergency",
                                  emergency=True, detail="reason refused"))  # fmt: skip
        return Read("invalid", refused[0], message_en=refused[1])
    if not await grants.take_slot(who.subject, (now + VN).date().isoformat(), per_day):
        detail = f"more than {per_day} emergency accesses today"
        await audit.append(_entry(who, person_id, action, "denied", purpose="emergency",
                                  emergency=True, reason=stated, detail=detail))  # fmt: skip
        return Read("too_many", f"{detail}; ask your facility's data protection officer")
    record = await live(records, person_id)
    if record is None:
        await audit.append(_entry(who, person_id, action, "not_found", purpose="emergency",
                                  emergency=True, reason=stated))  # fmt: skip
        return Read("not_found", NOT_YOURS)
    grant = emergency.open_grant(
        doctor=who.subject,
        person_id=record.person_id,
        facility=who.facility or "",
        purpose=purpose,
        reason=reason,
        now=now,
        lasts=lasts,
    )
    await grants.save(grant)
    await audit.append(_entry(who, record.person_id, action, "allowed", purpose="emergency",
                              emergency=True, reason=grant.stated,
                              detail=f"open until {grant.expires_at.isoformat()}"))  # fmt: skip
    return Read("ok", record=record, grant=grant)
