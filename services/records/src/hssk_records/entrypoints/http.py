"""HTTP entrypoint of a record, for the citizen, doctors, ward officers and operators: read it
(now or as it was), its history, a doctor's emergency access and confirmations, a QR code for
self-declaration, and the operators' integrity checks. Routes translate; use cases are in the
handler modules, and each one audits what it does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts.codes import Instant, PersonId
from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import problem_response, responses
from hssk_records import access_log, breakglass, declaring, maintenance, qr_login, reading
from hssk_records.context import Context
from hssk_records.domain.emergency import Purpose
from hssk_records.domain.views import record_view
from hssk_records.entrypoints import qr_images
from hssk_records.entrypoints.answers import EmergencyOpened, History, QrIssued, RecordView
from hssk_records.entrypoints.render import VN, history_item, refusal

Reader = Annotated[Principal, audited("citizen", "doctor", action="record.read")]
HistoryReader = Annotated[Principal, audited("citizen", "doctor", action="record.history")]
Doctor = Annotated[Principal, audited("doctor", action="record.emergency_access")]
Confirmer = Annotated[Principal, audited("doctor", action="record.confirm")]
QrIssuer = Annotated[Principal, audited("citizen", "ward_officer", action="record.qr")]
Operator = Annotated[Principal, audited("operator", action="access_log.verify")]
Maintainer = Annotated[Principal, audited("operator", action="record.maintain")]
Person = Annotated[PersonId, Path()]
ANY_BODY = Body(description="the fields to confirm, as a citizen would declare them")
SUBJECT = r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|ops:[a-z-]{1,40})$"


class EmergencyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    purpose: Purpose
    reason: Annotated[str, Field(min_length=1, max_length=500)]


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["records"])
    s, p = ctx.stores, ctx.policy

    @api.get(
        "/records/{person_id}",
        response_model=None,  # the view as built; answers.RecordView documents it (tested)
        responses={200: {"model": RecordView, "description": "the record"},
                   **responses(403, 404, 410)},
    )  # fmt: skip
    async def read_record(
        person_id: Person,
        who: Reader,
        as_of: Annotated[Instant | None, Query(description="the record as it was then")] = None,
    ) -> dict[str, Any]:
        """The citizen's own record; a doctor's when their facility saw the citizen recently or
        under their open emergency access. Alerts come first. Unknown and not-yours answer
        alike."""
        now = ctx.clock()
        read = await reading.read_record(
            person_id,
            who,
            records=s.records,
            events=s.events,
            grants=ctx.grants,
            audit=ctx.audit,
            now=now,
            doctor_window=p.doctor_window,
            as_of=as_of,
        )
        if read.status != "ok" or read.record is None:
            raise refusal(read)
        return {**record_view(read.record, today=(now + VN).date()), "as_of": as_of}

    @api.get(
        "/records/{person_id}/history",
        response_model=None,
        responses={200: {"model": History, "description": "the record's changes"},
                   **responses(403, 404)},
    )  # fmt: skip
    async def record_history(
        person_id: Person,
        who: HistoryReader,
        before: Annotated[int | None, Query(ge=2)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> dict[str, Any]:
        """The record's changes, newest first: version, time, what changed, by whom."""
        read = await reading.history_page(
            person_id,
            who,
            before=before,
            limit=limit,
            records=s.records,
            events=s.events,
            grants=ctx.grants,
            audit=ctx.audit,
            now=ctx.clock(),
            doctor_window=p.doctor_window,
        )
        if read.status != "ok" or read.events is None:
            raise refusal(read)
        items = [history_item(e) for e in read.events]
        last = read.events[-1].version if read.events else None
        return {
            "person_id": person_id,
            "items": items,
            "next_before": last if last and last > 1 else None,
        }

    @api.post(
        "/records/{person_id}/emergency-access",
        status_code=201,
        response_model=None,  # as built; answers.EmergencyOpened documents it (tested)
        responses={201: {"model": EmergencyOpened, "description": "the access, until when"},
                   **responses(403, 404, 422, 429)},
    )  # fmt: skip
    async def open_emergency_access(person_id: Person, body: EmergencyRequest, who: Doctor) -> Any:
        """Break-glass: a coded purpose and a reason in real words open the doctor's access to
        this record for a limited time; each read is flagged and shown to the citizen."""
        read = await breakglass.open_emergency_access(
            person_id,
            who,
            purpose=body.purpose,
            reason=body.reason,
            records=s.records,
            grants=ctx.grants,
            allowances=ctx.allowances,
            audit=ctx.audit,
            now=ctx.clock(),
            lasts=p.emergency_lasts,
            per_day=p.emergencies_per_day,
        )
        if read.status == "invalid":
            problem = {
                "field": "reason",
                "rule": "reason_not_real_words",
                "message": read.message,
                "message_en": read.message_en,
            }
            return problem_response(422, "emergency_reason_refused", [problem])
        if read.grant is None:
            raise refusal(read)
        g = read.grant
        return {
            "person_id": g.person_id,
            "purpose": g.purpose,
            "reason": g.reason,
            "opened_at": g.opened_at,
            "expires_at": g.expires_at,
        }

    @api.post("/records/{person_id}/confirmations", responses=responses(403, 422))
    async def confirm(
        person_id: Person, who: Confirmer, body: Annotated[dict[str, Any], ANY_BODY]
    ) -> Any:
        """A doctor who may read the record confirms values in it (the citizen's later
        declarations never overwrite them; both are shown)."""
        read, problems = await declaring.confirm(
            person_id,
            who,
            body,
            stores=s,
            grants=ctx.grants,
            publish=ctx.publish,
            audit=ctx.audit,
            now=ctx.clock(),
            doctor_window=p.doctor_window,
        )
        if problems:
            return problem_response(422, "confirmation_refused", problems)
        if read.record is None:
            raise refusal(read)
        return record_view(read.record, today=(ctx.clock() + VN).date())

    @api.post(
        "/records/{person_id}/qr",
        status_code=201,
        response_model=None,  # JSON as answers.QrIssued (tested), or the image itself
        responses={201: {"model": QrIssued, "description": "the code (?format=png|svg: the image)"},
                   **responses(403, 404)},
    )  # fmt: skip
    async def issue_qr(
        person_id: Person,
        who: QrIssuer,
        format: Annotated[str, Query(pattern="^(json|png|svg)$")] = "json",
    ) -> Any:
        """A QR code for the citizen to open their record and fill it in: single use, short
        lived, bound to this citizen (PNG for a phone, SVG for printing)."""
        issued = await qr_login.issue(
            person_id,
            who,
            records=s.records,
            audit=ctx.audit,
            key=p.qr_key,
            now=ctx.clock(),
            lasts=p.qr_lasts,
        )
        if issued.token is None:
            raise HTTPException(404, detail={"error": "not_found", "message": issued.message})
        url = f"{p.public_url}/q/{issued.token}"
        if format != "json":
            return qr_images.response(url, format)
        return JSONResponse(
            status_code=201,
            content={
                "person_id": person_id,
                "url": url,
                "token": issued.token,
                "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
                "svg": qr_images.svg(url),
                "png_base64": qr_images.png_base64(url),
            },
        )

    @api.get("/access-logs/{subject}/verify", responses=responses(403))
    async def verify(
        subject: Annotated[str, Path(pattern=SUBJECT, max_length=60)], who: Operator
    ) -> dict[str, Any]:
        """Walk one access log's hash chain: is any entry missing, altered or out of order?"""
        verdict = await access_log.checked(subject, who, log=ctx.access_logs, audit=ctx.audit)
        return verdict.as_dict()

    @api.post("/records/{person_id}/rebuild-check", responses=responses(403, 404))
    async def rebuild_check(person_id: Person, who: Maintainer) -> dict[str, Any]:
        """Fold the record's history again and compare it with the stored record."""
        found = await maintenance.rebuild_check(person_id, who, stores=s, audit=ctx.audit)
        if found is None:
            raise HTTPException(404, detail={"error": "not_found", "message": "no such record"})
        return found

    @api.post("/records/{person_id}/resend", status_code=202, responses=responses(403, 404))
    async def resend(person_id: Person, who: Maintainer) -> dict[str, Any]:
        """Announce the record's latest change again (same event id: subscribers de-duplicate)."""
        found = await maintenance.resend(
            person_id, who, stores=s, audit=ctx.audit, publish=ctx.publish
        )
        if found is None:
            raise HTTPException(404, detail={"error": "not_found", "message": "nothing to resend"})
        return found

    return api
