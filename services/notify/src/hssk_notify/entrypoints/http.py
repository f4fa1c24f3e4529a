"""HTTP entrypoint: the reminders scheduled for a citizen (the citizen, or an operator). Reminders
name appointments at facilities, which is health data: every read is audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException

from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal, require_roles
from hssk_notify.ports import ReminderStore

Reader = Annotated[Principal, require_roles("citizen", "operator")]


def router(*, reminders: ReminderStore, audit: AuditLog) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["reminders"])

    @api.get("/reminders/{person_id}")
    async def list_reminders(person_id: str, who: Reader) -> dict[str, Any]:
        allowed = who.role == "operator" or who.person_id == person_id
        await audit.append(
            AuditEntry(
                actor=who.subject,
                role=who.role,
                action="reminders.read",
                person_id=person_id,
                purpose="reminders",
                outcome="allowed" if allowed else "denied",
            )
        )
        if not allowed:
            raise HTTPException(
                403,
                detail={"error": "forbidden", "message": "a citizen sees only their own reminders"},
            )
        found = sorted(await reminders.for_person(person_id), key=lambda r: r.due_at)
        return {"person_id": person_id, "reminders": [asdict(r) for r in found]}

    return api
