"""The dev stack's sign-in for staff pages (never in production, where the city's identity
provider issues the tokens): pick a role and a facility or ward, get a platform token in the
same HttpOnly, SameSite=Strict cookie the citizen's page uses, and go on to the page asked for.
The token is what `hssk token` mints: the services check it exactly as any other."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from hssk_kit import devtokens
from hssk_kit.auth import SESSION_COOKIE
from hssk_kit.staff_pages import SECURITY
from hssk_records.entrypoints.http_pages import PAGES

ROLES = ("doctor", "leader", "ward_officer", "operator")
CODE = re.compile(r"^[0-9]{5}$")
LASTS_S = 8 * 3600


def router(key_file: str, *, issuer: str, audience: str) -> APIRouter:
    staff = APIRouter(include_in_schema=False)
    form = (PAGES / "staff.html").read_bytes()

    @staff.get("/staff")
    async def sign_in_page(next: str = "/") -> Response:
        headers = {**SECURITY, "Cache-Control": "no-store"}
        back = html.escape(_local(next), quote=True).encode()
        page = form.replace(
            b'name="next" id="next" value="/"', b'name="next" id="next" value="' + back + b'"'
        )
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)

    @staff.post("/staff/sign-in")
    async def sign_in(request: Request) -> Response:
        fields = {k: v[0] for k, v in parse_qs((await request.body()).decode()[:2000]).items()}
        role = fields.get("role", "")
        facility, ward = fields.get("facility", ""), fields.get("ward", "")
        if (
            role not in ROLES
            or (facility and not CODE.match(facility))
            or (ward and not CODE.match(ward))
        ):
            return Response("vai trò, mã cơ sở hoặc mã phường không hợp lệ / invalid role or code",
                            status_code=422, headers=SECURITY)  # fmt: skip
        token = devtokens.mint(
            Path(key_file),
            role=role,
            subject=f"dev-{role}-{facility or ward or 'city'}",
            facility=facility or None,
            ward=ward or None,
            ttl_s=LASTS_S,
            issuer=issuer,
            audience=audience,
        )
        answer = RedirectResponse(
            _local(fields.get("next", "/")), status_code=303, headers=SECURITY
        )
        answer.set_cookie(SESSION_COOKIE, token, max_age=LASTS_S, path="/", httponly=True,
                          samesite="strict")  # fmt: skip
        return answer

    return staff


def _local(path: str) -> str:
    """Only a path of this site: never an open redirect to another."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"
