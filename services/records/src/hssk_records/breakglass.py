"""Handler of a doctor's emergency access: a coded purpose and a reason in real words open a
time-boxed access to one record, within a daily allowance per doctor; every step is audited,
the reason shown to the citizen."""

from __future__ import annotations

from datetime import datetime, timedelta

from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_records.domain import emergency
from hssk_records.ports import Allowances, GrantStore, RecordRepository
from hssk_records.reading import NOT_YOURS, Read, entry
from hssk_records.writing import live

VN = timedelta(hours=7)
ACTION = "record.emergency_access"


async def open_emergency_access(
    person_id: str,
    who: Principal,
    *,
    purpose: str,
    reason: str,
    records: RecordRepository,
    grants: GrantStore,
    allowances: Allowances,
    audit: AuditLog,
    now: datetime,
    lasts: timedelta,
    per_day: int,
) -> Read:
    """Open (or renew) the doctor's emergency access to a record, within the daily allowance."""
    stated = f"{purpose}: {reason}"[:600]
    if refused := emergency.reason_problem(reason):
        await audit.append(
            entry(
                who,
                person_id,
                ACTION,
                "denied",
                purpose="emergency",
                emergency=True,
                detail="reason refused",
            )
        )
        return Read("invalid", refused[0], message_en=refused[1])
    day = (now + VN).date().isoformat()
    if not await allowances.take(f"emergency|{who.subject}|{day}", per_day):
        detail = f"more than {per_day} emergency accesses today"
        await audit.append(
            entry(
                who,
                person_id,
                ACTION,
                "denied",
                purpose="emergency",
                emergency=True,
                reason=stated,
                detail=detail,
            )
        )
        return Read("too_many", f"{detail}; ask your facility's data protection officer")
    target, record = await live(records, person_id)
    if record is None:
        await audit.append(
            entry(
                who,
                person_id,
                ACTION,
                "not_found",
                purpose="emergency",
                emergency=True,
                reason=stated,
            )
        )
        return Read("not_found", NOT_YOURS)
    grant = emergency.open_grant(
        doctor=who.subject,
        person_id=target,
        facility=who.facility or "",
        purpose=purpose,
        reason=reason,
        now=now,
        lasts=lasts,
    )
    await grants.save(grant)
    await audit.append(
        entry(
            who,
            target,
            ACTION,
            "allowed",
            purpose="emergency",
            emergency=True,
            reason=grant.stated,
            detail=f"open until {grant.expires_at.isoformat()}",
        )
    )
    return Read("ok", record=record, grant=grant)
