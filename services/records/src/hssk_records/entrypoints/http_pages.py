"""The pages records serves itself. The citizen's: the page a QR code opens (`/q/<token>`, which
redeems nothing by being fetched: a link preview cannot use up the code) and `/me` after it.
The doctor's one-glance view of a record (`/doctor/<person_id>`), with the emergency access.
One HTML shell, one stylesheet and one script, all from this service (no CDN, no web font), so
a cheap phone on a slow line loads a few kilobytes once. The script calls the same `/v1/me`
API an app would, with the session in an HttpOnly, SameSite=Strict cookie.

Every page answer carries a strict Content-Security-Policy (scripts and styles from this origin
only, no inline code), `Referrer-Policy: no-referrer` (the QR URL never leaks to another site)
and `Cache-Control: no-store` (a shared phone keeps no copy of a record)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException, Response

from hssk_kit.auth import SESSION_COOKIE
from hssk_kit.staff_pages import SECURITY, STAFF_CSS
from hssk_records.context import Context

PAGES = Path(__file__).parent / "pages"
CSS, JS = "text/css; charset=utf-8", "text/javascript; charset=utf-8"
ASSETS = {"me.css": CSS, "me.js": JS, "doctor.css": CSS, "doctor.js": JS}


def router(ctx: Context, *, site: dict[str, str]) -> APIRouter:
    """`site`: where each service's pages are served (the reminder settings are notify's)."""
    pages = APIRouter(include_in_schema=False)
    shell, doctor = (PAGES / "me.html").read_bytes(), (PAGES / "doctor.html").read_bytes()
    reminders = escape(site.get("notify", "").rstrip("/") + "/me/reminders", quote=True)
    shell = shell.replace(b'href="/me/reminders"', f'href="{reminders}"'.encode())
    assets = {name: (PAGES / name).read_bytes() for name in ASSETS}
    assets["staff.css"] = STAFF_CSS  # the staff pages', shared by every service

    def page(html: bytes | None = None) -> Response:
        headers = {**SECURITY, "Cache-Control": "no-store"}
        return Response(html or shell, media_type="text/html; charset=utf-8", headers=headers)

    @pages.get("/me")
    async def my_page() -> Response:
        return page()

    @pages.get("/q/{token}")
    async def qr_page(token: str) -> Response:
        return page()  # the script offers to open the record: a POST, never this GET

    @pages.get("/doctor/{person_id}")
    async def doctor_page(person_id: str) -> Response:
        return page(doctor)  # the script reads the record as the signed-in doctor may

    @pages.get("/assets/{name}")
    async def asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404, detail={"error": "not_found", "message": "no such file"})
        headers = {**SECURITY, "Cache-Control": "public, max-age=3600"}
        return Response(assets[name], media_type=ASSETS.get(name, CSS), headers=headers)

    @pages.post("/me/sign-out", status_code=204)
    async def sign_out() -> Response:
        gone = Response(status_code=204, headers=SECURITY)
        gone.delete_cookie(SESSION_COOKIE, path="/", httponly=True,
                           secure=ctx.policy.secure_cookies, samesite="strict")  # fmt: skip
        return gone

    return pages
