"""HTTP entrypoint of the codes people scan: a citizen redeems a QR code (no session yet: the
code is the credential) for a citizen session; a doctor opens a record a citizen shared."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hssk_kit.auth import SESSION_COOKIE, Principal
from hssk_kit.guard import audited
from hssk_kit.http import error_response, responses
from hssk_kit.http_errors import PROBLEM_JSON
from hssk_records import qr_login, shares
from hssk_records.context import Context
from hssk_records.domain.views import record_view, summary_view
from hssk_records.entrypoints.render import VN

SharedReader = Annotated[Principal, audited("doctor", action="share.use")]
REDEEM_STATUS = {"forged": 401, "expired": 410, "used": 409, "too_many": 429}


class Redeem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, Field(min_length=10, max_length=400)]
    deliver: Literal["token", "cookie"] = Field(
        default="token",
        description="token: the session in the answer (an app); cookie: an HttpOnly, "
        "SameSite=Strict cookie that page scripts cannot read (the platform's own pages)",
    )


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["codes"])
    p = ctx.policy

    @api.post(
        "/qr/redeem",
        responses={
            **responses(409, 410, 422, 429),
            401: {
                "description": "not a code the platform made",
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
            },
        },
    )
    async def redeem(body: Redeem, request: Request) -> Any:
        """Open a citizen session with a QR code's token: once per code."""
        client = request.client.host if request.client else "unknown"
        done = await qr_login.redeem(
            body.token,
            client,
            ledger=ctx.qr_ledger,
            allowances=ctx.allowances,
            sessions=ctx.sessions,
            key=p.qr_key,
            now=ctx.clock(),
        )
        if done.status != "ok":
            vi, en = done.messages
            return error_response(REDEEM_STATUS[done.status], done.status, vi, message_en=en)
        assert done.session is not None and done.expires_at is not None  # status "ok"
        if body.deliver == "cookie":
            answer = JSONResponse({"person_id": done.person_id,
                                   "expires_at": done.expires_at.isoformat()})  # fmt: skip
            answer.set_cookie(
                SESSION_COOKIE,
                done.session,
                expires=done.expires_at,
                path="/",
                httponly=True,
                secure=p.secure_cookies,
                samesite="strict",
            )
            return answer
        return {
            "person_id": done.person_id,
            "access_token": done.session,
            "token_type": "Bearer",
            "expires_at": done.expires_at,
        }

    @api.get("/shared/{token}", responses=responses(404))
    async def shared(
        token: Annotated[str, Path(min_length=10, max_length=120)], who: SharedReader
    ) -> dict[str, Any]:
        """The record a citizen shared with you, as far as its scope goes (each use is in the
        citizen's access log)."""
        now = ctx.clock()
        used = await shares.use(
            token, who, shares=ctx.shares, records=ctx.stores.records, audit=ctx.audit, now=now
        )
        if used.record is None or used.share is None:
            raise HTTPException(
                404, detail={"error": "not_found", "message": "no share opens with this code"}
            )
        view = record_view if used.share.scope == "full" else summary_view
        return {**view(used.record, today=(now + VN).date()), "scope": used.share.scope}

    return api
