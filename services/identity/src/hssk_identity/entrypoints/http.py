"""HTTP entrypoint: read a person from the index (operators; every read audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException

from hssk_contracts.events import PersonSnapshot
from hssk_identity.ports import PersonRepository
from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal, require_roles

Operator = Annotated[Principal, require_roles("operator", "ward_officer")]


def router(*, persons: PersonRepository, audit: AuditLog) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["persons"])

    @api.get("/persons/{person_id}", response_model=PersonSnapshot)
    async def get_person(person_id: str, who: Operator) -> PersonSnapshot:
        person = await persons.get(person_id)
        await audit.append(
            AuditEntry(
                actor=who.subject,
                role=who.role,
                action="person.read",
                person_id=person_id,
                purpose="identity administration",
                outcome="allowed" if person else "not_found",
            )
        )
        if person is None:
            raise HTTPException(
                404, detail={"error": "not_found", "message": f"no person {person_id}"}
            )
        return person.snapshot()

    return api
