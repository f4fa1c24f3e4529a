"""Handlers of the operators' record maintenance: prove a record equal to what its history
makes, and announce a record's latest change again (same event id: subscribers de-duplicate).
Both are audited, whatever they find."""

from __future__ import annotations

from typing import Any

from hssk_contracts.events import RecordChanged
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish
from hssk_records.reading import entry
from hssk_records.writing import Stores, announce, rebuilt

ACTION = "record.maintain"


async def rebuild_check(
    person_id: str, who: Principal, *, stores: Stores, audit: AuditLog
) -> dict[str, Any] | None:
    stored = await stores.records.get(person_id)
    if stored is None:
        await audit.append(entry(who, person_id, ACTION, "not_found", purpose="integrity check"))
        return None
    again = await rebuilt(person_id, stores.events, stored.version)
    same = again is not None and again.comparable() == stored.comparable()
    await audit.append(
        entry(who, person_id, ACTION, "allowed", purpose="integrity check", detail=f"equal={same}")
    )
    return {"person_id": person_id, "version": stored.version, "equal": same}


async def resend(
    person_id: str, who: Principal, *, stores: Stores, audit: AuditLog, publish: Publish
) -> dict[str, Any] | None:
    stored = await stores.records.get(person_id)
    if stored is None or not stored.last_change:
        await audit.append(entry(who, person_id, ACTION, "not_found", purpose="resend"))
        return None
    change = RecordChanged.model_validate(stored.last_change)
    await announce(stored, change, publish)
    await audit.append(
        entry(who, person_id, ACTION, "allowed", purpose="resend", detail=change.event_id)
    )
    return {"person_id": person_id, "event_id": change.event_id, "version": stored.version}
