"""The statistics as pages: `/leader`, the city's dashboard for a leader and a ward officer's
view of their own ward, drawn on the server (dashboard_page.py, svg_charts.py) from the same
use cases, scopes and disclosure gate as `/v1/stats`. Signed in with the pages' session cookie;
without one the page says where to sign in, and a refused role or scope is audited as the API
audits it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hssk_kit import staff_pages as staff
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_records import statistics_read as read
from hssk_records.entrypoints import dashboard_page
from hssk_records.statistics_read import StatsView

READERS = ("leader", "ward_officer")
WEEKS = 12


def router(view: StatsView, audit: AuditLog, clock, *, sign_in: str | None) -> APIRouter:
    """`sign_in`: where a visitor without a session signs in (the dev stack's `/staff`; in
    production the city's identity provider, outside this service)."""
    pages = APIRouter(include_in_schema=False)

    @pages.get("/leader")
    async def dashboard(request: Request) -> Response:
        who = await staff.signed_in(
            request, title=dashboard_page.TITLE, sign_in=sign_in, back="/leader"
        )
        if isinstance(who, Response):
            return who
        try:
            if who.role not in READERS:
                raise read.Refused(403, f"role {who.role} may not read statistics")
            body = dashboard_page.page(staff.who_label(who), *_answers(view, who, clock))
        except read.Refused as refused:
            await read.audit_refusal(audit, who, refused)
            refused_page = "<p>Vai trò của bạn không được xem số liệu này.</p>"
            return staff.html(staff.shell(dashboard_page.TITLE, refused_page), 403)
        return staff.html(body)

    return pages


def _answers(view: StatsView, who: Principal, clock) -> tuple:
    """The four answers a leader sees for the city, a ward officer for their ward."""
    city = who.role == "leader"
    level = "city" if city else "ward"
    first, last = read.recent_weeks(clock(), WEEKS)
    return (
        read.completeness(view, who, "ward"),
        read.visits(view, who, level, first, last),
        read.conditions(view, who, level, "*", "*"),
        read.reminders(view, who, level),
    )
