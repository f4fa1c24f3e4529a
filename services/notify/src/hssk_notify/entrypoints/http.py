"""HTTP entrypoint: the reminders scheduled for a citizen (the citizen, or an operator).
Reminders name appointments at facilities, which is health data: every attempt is audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path

from hssk_contracts.codes import PersonId
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import responses
from hssk_notify import handlers
from hssk_notify.ports import ReminderStore

Reader = Annotated[Principal, audited("citizen", "operator", action="reminders.read")]


def router(*, reminders: ReminderStore, audit: AuditLog) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["reminders"])

    @api.get("/reminders/{person_id}", responses=responses(404))
    async def list_reminders(person_id: Annotated[PersonId, Path()], who: Reader) -> dict[str, Any]:
        """A citizen's own reminders (any citizen's for an operator), soonest first."""
        found = await handlers.reminders_of(person_id, who, reminders=reminders, audit=audit)
        if found is None:
            raise HTTPException(
                404, detail={"error": "not_found", "message": "no reminders you may read here"}
            )
        return {"person_id": person_id, "reminders": [asdict(r) for r in found]}

    return api
