"""HTTP entrypoint: a citizen's record for the citizen and their doctors, a doctor's emergency
access, and the citizen's access log. Routes translate; the use cases are in reading.py and
access_log.py. Every attempt on a record is audited there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts.codes import PersonId
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import problem_response, responses
from hssk_records import access_log, reading
from hssk_records.domain import template
from hssk_records.domain.access_log import Entry
from hssk_records.domain.emergency import Purpose
from hssk_records.ports import AccessLogStore, GrantStore, RecordRepository

Reader = Annotated[Principal, audited("citizen", "doctor", action="record.read")]
Doctor = Annotated[Principal, audited("doctor", action="record.emergency_access")]
Citizen = Annotated[Principal, audited("citizen", action="access_log.read", refusals_only=True)]
Operator = Annotated[Principal, audited("operator", action="access_log.verify")]
Person = Annotated[PersonId, Path()]
SUBJECT = r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|ops:[a-z-]{1,40})$"


class EmergencyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    purpose: Purpose
    reason: Annotated[str, Field(min_length=1, max_length=500)]


STATUS = {"not_found": 404, "forbidden": 403, "merged": 410, "too_many": 429}


def _refusal(read: reading.Read) -> HTTPException:
    body: dict[str, Any] = {"error": read.status, "message": read.message}
    if read.status == "merged" and read.record is not None:
        body["merged_into"] = read.record.merged_into
    return HTTPException(STATUS[read.status], detail=body)


def _shown(entry: Entry) -> dict[str, Any]:
    a = entry.access
    keep = ("at", "actor", "role", "facility", "service", "action", "purpose", "outcome")
    more = ("emergency", "reason", "record_version", "detail")
    return {"seq": entry.seq, **{k: a.get(k) for k in keep}, **{k: a[k] for k in more if a.get(k)},
            "hash": entry.hash}  # fmt: skip


def router(
    *,
    records: RecordRepository,
    grants: GrantStore,
    access_logs: AccessLogStore,
    audit: AuditLog,
    clock: Callable[[], datetime],
    doctor_window: timedelta,
    emergency_lasts: timedelta,
    emergencies_per_day: int,
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["records"])

    @api.get("/records/{person_id}", responses=responses(403, 404, 410))
    async def read_record(person_id: Person, who: Reader) -> dict[str, Any]:
        """The citizen's own record; a doctor's when their facility saw the citizen recently or
        under their open emergency access. Unknown and not-yours answer alike."""
        read = await reading.read_record(
            person_id,
            who,
            records=records,
            grants=grants,
            audit=audit,
            now=clock(),
            doctor_window=doctor_window,
        )
        if read.status != "ok" or read.record is None:
            raise _refusal(read)
        record = read.record
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

    @api.post(
        "/records/{person_id}/emergency-access",
        status_code=201,
        responses=responses(403, 404, 422, 429),
    )
    async def open_emergency_access(person_id: Person, body: EmergencyRequest, who: Doctor) -> Any:
        """Break-glass: a coded purpose and a reason in real words open the doctor's access to
        this record for a limited time; each read is flagged and shown to the citizen."""
        read = await reading.open_emergency_access(
            person_id,
            who,
            purpose=body.purpose,
            reason=body.reason,
            records=records,
            grants=grants,
            audit=audit,
            now=clock(),
            lasts=emergency_lasts,
            per_day=emergencies_per_day,
        )
        if read.status == "invalid":
            problem = {"field": "reason", "rule": "reason_not_real_words",
                       "message": read.message, "message_en": read.message_en}  # fmt: skip
            return problem_response(422, "emergency_reason_refused", [problem])
        if read.grant is None:
            raise _refusal(read)
        g = read.grant
        return {"person_id": g.person_id, "purpose": g.purpose, "reason": g.reason,
                "opened_at": g.opened_at, "expires_at": g.expires_at}  # fmt: skip

    @api.get("/records/{person_id}/access-log", responses=responses(403, 404))
    async def who_looked(
        person_id: Person,
        who: Citizen,
        before: Annotated[int | None, Query(ge=2, description="from a page's next_before")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> dict[str, Any]:
        """Who looked at my record: every attempt, newest first, paged; emergency accesses
        are pinned on every page, whatever came after them."""
        found = await access_log.own_page(
            person_id, who, before=before, limit=limit, log=access_logs, audit=audit
        )
        if found is None:
            raise _refusal(reading.Read("not_found", reading.NOT_YOURS))
        head = found.head
        return {
            "person_id": person_id,
            "total": head.seq if head else 0,
            "counts": head.counts if head else {},
            "emergencies": [_shown(e) for e in found.pinned],
            "entries": [_shown(e) for e in found.entries],
            "next_before": found.next_before,
        }

    @api.get("/access-logs/{subject}/verify", responses=responses(403))
    async def verify(
        subject: Annotated[str, Path(pattern=SUBJECT, max_length=60)], who: Operator
    ) -> dict[str, Any]:
        """Walk one access log's hash chain: is any entry missing, altered or out of order?"""
        verdict = await access_log.checked(subject, who, log=access_logs, audit=audit)
        return verdict.as_dict()

    return api
