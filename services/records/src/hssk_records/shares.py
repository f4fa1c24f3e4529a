"""Handlers of the citizen's shares: create one (a scope, an expiry), list them, revoke one at
once, and a doctor's use of one (the record as the scope allows, each use in the citizen's
access log). A revoked, expired or unknown share opens nothing, and says nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal
from hssk_records.domain.record import Record
from hssk_records.domain.sharing import Scope, Share, new_share, opens, share_id_of
from hssk_records.ports import RecordRepository, ShareStore
from hssk_records.reading import entry
from hssk_records.writing import live


@dataclass(frozen=True)
class Used:
    status: str  # ok | not_found
    share: Share | None = None
    record: Record | None = None


async def create(
    who: Principal,
    scope: Scope,
    lasts: timedelta,
    *,
    shares: ShareStore,
    records: RecordRepository,
    audit: AuditLog,
    now: datetime,
) -> tuple[Share, str] | None:
    """A share of the citizen's own record (None: there is no record to share)."""
    assert who.person_id is not None
    person_id, record = await live(records, who.person_id)
    if record is None:
        await audit.append(entry(who, who.person_id, "share.manage", "not_found"))
        return None
    share, token = new_share(person_id, scope, now=now, lasts=lasts)
    await shares.add(share)
    return share, token


async def revoke(
    who: Principal, share_id: str, *, shares: ShareStore, audit: AuditLog, now: datetime
) -> bool:
    share = await shares.get(share_id)
    if share is None or share.person_id != who.person_id:
        assert who.person_id is not None
        await audit.append(
            entry(who, who.person_id, "share.manage", "not_found", detail=f"revoke {share_id}")
        )
        return False
    if share.revoked_at is None:
        await shares.save(share.model_copy(update={"revoked_at": now}))
    return True


async def use(
    token: str,
    who: Principal,
    *,
    shares: ShareStore,
    records: RecordRepository,
    audit: AuditLog,
    now: datetime,
) -> Used:
    share = await shares.get(share_id_of(token))
    if share is None or not opens(share, token, now):
        # A revoked or expired share tried: the citizen sees that too. An unknown one is the
        # service's own record ("ops:records"): whose it would have been is not known.
        person = share.person_id if share else None
        await audit.append(
            AuditEntry(
                actor=who.subject,
                role=who.role,
                action="share.use",
                person_id=person,
                purpose="shared by the citizen",
                outcome="denied" if share else "not_found",
                facility=who.facility,
                detail="revoked or expired share" if share else None,
            )
        )
        return Used("not_found")
    _, record = await live(records, share.person_id)
    if record is None:
        return Used("not_found")
    await audit.append(
        entry(
            who,
            share.person_id,
            "share.use",
            "allowed",
            purpose="shared by the citizen",
            detail=f"scope {share.scope}",
            record_version=record.version,
        )
    )
    return Used("ok", share, record)
