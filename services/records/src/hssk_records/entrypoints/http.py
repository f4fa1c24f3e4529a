"""HTTP entrypoint: a citizen's record for the citizen and their doctors; every read audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from hssk_kit.audit import AuditEntry, AuditLog, Outcome
from hssk_kit.auth import Principal, require_roles
from hssk_records import metrics
from hssk_records.domain import access, template
from hssk_records.ports import RecordRepository

Reader = Annotated[Principal, require_roles("citizen", "doctor")]
Citizen = Annotated[Principal, require_roles("citizen")]


def router(
    *,
    records: RecordRepository,
    audit: AuditLog,
    clock: Callable[[], datetime],
    doctor_window: timedelta,
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["records"])

    @api.get("/records/{person_id}")
    async def read_record(
        person_id: str,
        who: Reader,
        emergency_reason: Annotated[str | None, Query(max_length=500)] = None,
    ) -> dict[str, Any]:
        record = await records.get(person_id)

        def audited(purpose: str, outcome: Outcome, detail: str | None = None) -> AuditEntry:
            return AuditEntry(
                actor=who.subject,
                role=who.role,
                action="record.read",
                person_id=person_id,
                facility=who.facility,
                purpose=purpose,
                outcome=outcome,
                detail=detail,
            )

        if record is None:
            await audit.append(audited("read", "not_found"))
            metrics.READS.labels(who.role, "not_found").inc()
            raise HTTPException(
                404, detail={"error": "not_found", "message": f"no record for person {person_id}"}
            )
        if record.merged_into:
            await audit.append(audited("read", "not_found", f"merged into {record.merged_into}"))
            raise HTTPException(
                410,
                detail={
                    "error": "merged",
                    "merged_into": record.merged_into,
                    "message": f"merged into {record.merged_into}; read that record instead",
                },
            )
        decision = access.may_read(
            role=who.role,
            subject_person_id=who.person_id,
            facility=who.facility,
            record=record,
            now=clock(),
            doctor_window=doctor_window,
            emergency_reason=emergency_reason,
        )
        outcome: Outcome = "allowed" if decision.allowed else "denied"
        await audit.append(audited(decision.purpose, outcome, decision.reason))
        metrics.READS.labels(who.role, outcome).inc()
        if not decision.allowed:
            raise HTTPException(403, detail={"error": "forbidden", "message": decision.reason})
        missing = template.missing(record)
        body = record.model_dump(mode="json", exclude={"visits"})
        body["visits"] = [
            e.visit.model_dump(mode="json", exclude_none=True)
            for e in sorted(record.visits.values(), key=lambda e: e.visit.admitted_at, reverse=True)
        ]
        body["completeness"] = {
            "filled": len(template.FIELDS) - len(missing),
            "total": len(template.FIELDS),
            "missing": missing,
        }
        return body

    @api.get("/records/{person_id}/access-log")
    async def who_looked(person_id: str, who: Citizen) -> dict[str, Any]:
        if who.person_id != person_id:
            raise HTTPException(
                403,
                detail={
                    "error": "forbidden",
                    "message": "a citizen sees only their own access log",
                },
            )
        entries = await audit.for_person(person_id)
        return {
            "person_id": person_id,
            "entries": [
                {
                    "at": e.at,
                    "who": e.actor,
                    "role": e.role,
                    "facility": e.facility,
                    "action": e.action,
                    "purpose": e.purpose,
                    "outcome": e.outcome,
                }
                for e in entries
            ],
        }

    return api
