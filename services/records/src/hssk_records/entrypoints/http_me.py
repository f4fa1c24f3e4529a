"""HTTP entrypoint of the citizen's own record, in a citizen session: read it, declare what they
know, see who looked at it (in plain Vietnamese), share it with a doctor and revoke that, take
it away (JSON or FHIR), and ask for a correction."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import problem_response, responses
from hssk_records import access_log, declaring, reading, rights, shares
from hssk_records.context import Context
from hssk_records.domain.corrections import Correction
from hssk_records.domain.views import record_view
from hssk_records.entrypoints import qr_images
from hssk_records.entrypoints.answers import (
    AccessLogPage,
    Corrections,
    RecordView,
    Revoked,
    ShareMade,
    Shares,
)
from hssk_records.entrypoints.render import VN, access_item, refusal

Me = Annotated[Principal, audited("citizen", action="record.read")]
Declarer = Annotated[Principal, audited("citizen", action="record.declare", refusals_only=True)]
LogReader = Annotated[Principal, audited("citizen", action="access_log.read", refusals_only=True)]
Sharer = Annotated[Principal, audited("citizen", action="share.manage", refusals_only=True)]
Exporter = Annotated[Principal, audited("citizen", action="record.export")]
Corrector = Annotated[Principal, audited("citizen", action="record.correct", refusals_only=True)]
ANY_BODY = Body(description="the fields to set; each is checked with its range and unit")


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: Literal["summary", "full"] = "summary"
    hours: Annotated[int, Field(ge=1, le=168, description="how long it lasts (7 days at most)")] = (
        24
    )


def _refused(problems: list[dict[str, Any]], error: str) -> Any:
    if problems and problems[0].get("rule") == "no_record":
        raise HTTPException(404, detail={"error": "not_found", "message": problems[0]["message"]})
    return problem_response(422, error, problems)


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix="/v1/me", tags=["my record"])
    s, p = ctx.stores, ctx.policy

    def mine(who: Principal) -> str:
        assert who.person_id is not None  # the claim schema requires it of a citizen
        return who.person_id

    @api.get(
        "",
        response_model=None,  # the view as built; answers.RecordView documents it (tested)
        responses={200: {"model": RecordView, "description": "my record"}, **responses(404, 410)},
    )
    async def my_record(who: Me) -> dict[str, Any]:
        """My record, as my doctor would see it, with what is missing and why it matters."""
        now = ctx.clock()
        read = await reading.read_record(
            mine(who),
            who,
            records=s.records,
            events=s.events,
            grants=ctx.grants,
            audit=ctx.audit,
            now=now,
            doctor_window=p.doctor_window,
        )
        if read.status != "ok" or read.record is None:
            raise refusal(read)
        return record_view(read.record, today=(now + VN).date())

    @api.patch("/declaration", responses=responses(404, 422))
    async def declare(who: Declarer, body: Annotated[dict[str, Any], ANY_BODY]) -> Any:
        """Set what I know of my health: height (cm), weight (kg), blood pressure, blood group,
        allergies, chronic conditions, vaccinations, children, habits, disabilities, family
        history, my representative. A wrong value is refused in Vietnamese, changing nothing."""
        now = ctx.clock()
        record, problems = await declaring.declare(
            who, body, stores=s, publish=ctx.publish, audit=ctx.audit, now=now
        )
        if record is None:
            return _refused(problems, "declaration_refused")
        return record_view(record, today=(now + VN).date())

    @api.get(
        "/access-log",
        response_model=None,  # as built; answers.AccessLogPage documents it (tested)
        responses={200: {"model": AccessLogPage, "description": "who looked at my record"}},
    )
    async def my_access_log(
        who: LogReader,
        before: Annotated[int | None, Query(ge=2)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 30,
    ) -> dict[str, Any]:
        """Who looked at my record: every attempt, newest first, each said in plain
        Vietnamese; emergency accesses pinned on every page."""
        found = await access_log.page(mine(who), before=before, limit=limit, log=ctx.access_logs)
        head = found.head
        return {
            "person_id": mine(who),
            "total": head.seq if head else 0,
            "counts": head.counts if head else {},
            "emergencies": [access_item(e) for e in found.pinned],
            "entries": [access_item(e) for e in found.entries],
            "next_before": found.next_before,
        }

    @api.post(
        "/shares",
        status_code=201,
        response_model=None,  # as built; answers.ShareMade documents it (tested)
        responses={201: {"model": ShareMade, "description": "the share and its QR"},
                   **responses(404, 422)},
    )  # fmt: skip
    async def share(who: Sharer, body: ShareRequest) -> dict[str, Any]:
        """Share my record with a doctor until a time I choose: shown as a QR to scan."""
        created = await shares.create(
            who,
            body.scope,
            timedelta(hours=body.hours),
            shares=ctx.shares,
            records=s.records,
            audit=ctx.audit,
            now=ctx.clock(),
        )
        if created is None:
            raise HTTPException(404, detail={"error": "not_found", "message": "no record yet"})
        made, token = created
        url = f"{p.public_url}/v1/shared/{token}"
        return {
            "share_id": made.share_id,
            "scope": made.scope,
            "url": url,
            "token": token,
            "expires_at": made.expires_at.isoformat(),
            "svg": qr_images.svg(url),
        }

    @api.get(
        "/shares", response_model=None, responses={200: {"model": Shares, "description": "mine"}}
    )
    async def my_shares(who: Sharer) -> dict[str, Any]:
        found = await ctx.shares.of_person(mine(who))
        now = ctx.clock()
        return {
            "items": [
                {**x.model_dump(mode="json", exclude={"secret_hash"}), "active": x.active(now)}
                for x in found
            ]
        }

    @api.delete(
        "/shares/{share_id}",
        response_model=None,
        responses={200: {"model": Revoked, "description": "revoked"}, **responses(404)},
    )
    async def revoke(share_id: Annotated[str, Path(max_length=36)], who: Sharer) -> dict[str, Any]:
        """Revoke a share at once: the next scan of its QR opens nothing."""
        if not await shares.revoke(
            who, share_id, shares=ctx.shares, audit=ctx.audit, now=ctx.clock()
        ):
            raise HTTPException(404, detail={"error": "not_found", "message": "no such share"})
        return {"share_id": share_id, "revoked": True}

    @api.get("/export", responses=responses(404))
    async def export(
        who: Exporter, format: Annotated[str, Query(pattern="^(json|fhir)$")] = "json"
    ) -> Any:
        """My whole record to take away: JSON, or a FHIR R4 International Patient Summary."""
        found = await rights.export(
            who, format, records=s.records, events=s.events, audit=ctx.audit, now=ctx.clock()
        )
        if found is None:
            raise HTTPException(404, detail={"error": "not_found", "message": "no record yet"})
        return found

    @api.post(
        "/corrections",
        status_code=201,
        response_model=None,  # as built; the domain's Correction documents it (tested)
        responses={201: {"model": Correction, "description": "the request, its owner and due date"},
                   **responses(404, 422)},
    )  # fmt: skip
    async def correct(who: Corrector, body: Annotated[dict[str, Any], ANY_BODY]) -> Any:
        """Ask for a value to be corrected: routed to whoever owns it, due in 10 days."""
        made, problems = await rights.request_correction(
            who, body, records=s.records, store=ctx.corrections, audit=ctx.audit, now=ctx.clock()
        )
        if made is None:
            return _refused(problems, "correction_refused")
        return made.model_dump(mode="json")

    @api.get(
        "/corrections",
        response_model=None,
        responses={200: {"model": Corrections, "description": "my correction requests"}},
    )
    async def my_corrections(who: Corrector) -> dict[str, Any]:
        found = await ctx.corrections.of_person(mine(who))
        return {"items": [c.model_dump(mode="json") for c in found]}

    return api
