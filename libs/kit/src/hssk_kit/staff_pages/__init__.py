"""What every service's staff pages share (the dashboard, the ward officer's desk: the QR
sheets in records, the review queue in identity, the worklist in notify): the security headers,
one HTML shell with the desk's navigation, and one stylesheet each service serves itself at
`/assets/staff.css` (no CDN, no web font, no inline code: the CSP allows none).

Each service draws its own page from its own use cases: the services talk to each other only
through Kafka (README, Architecture), and the pages link across them. Behind the city's ingress
they share one host; on the dev stack each runs on its own port, and `site` maps a service to
the address its pages are served from."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response

from hssk_kit.auth import Principal, current_principal

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
STAFF_CSS = (Path(__file__).parent / "staff.css").read_bytes()
DESK = (  # the ward officer's desk: (service, path, label)
    ("records", "/desk", "In mã QR"),
    ("identity", "/desk/reviews", "Xác minh danh tính"),
    ("notify", "/desk/worklist", "Không liên lạc được"),
)


def html(body: str, status: int = 200, *, forms_to: str = "") -> Response:
    """A page: never cached (a shared computer keeps no copy), under the strict CSP; a form of
    the page may also go to `forms_to` (another service's pages, on the dev stack's ports)."""
    headers = {**SECURITY, "Cache-Control": "no-store"}
    if forms_to:
        origin = "/".join(forms_to.split("/")[:3])  # scheme://host:port
        csp = CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
        headers["Content-Security-Policy"] = csp
    return Response(body, status, media_type="text/html; charset=utf-8", headers=headers)


def shell(title: str, body: str, *, who: str = "", nav: str = "", citizen: bool = False) -> str:
    """`body` and `nav` are HTML already escaped by the caller; `title` and `who` are text.
    A citizen's page is drawn larger (type and touch targets), as their record page is."""
    body_tag = '<body class="citizen">' if citizen else "<body>"
    return (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="stylesheet" href="/assets/staff.css">\n</head>\n'
        f"{body_tag}\n"
        f'<header><h1>{escape(title)}</h1><span class="who">{escape(who)}</span></header>\n'
        f"{nav}<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


ROLE_WORDS = {"leader": "Lãnh đạo thành phố", "operator": "Vận hành", "doctor": "Bác sĩ"}


def who_label(who: Principal) -> str:
    """Who is signed in, as a staff page's header says it."""
    if who.role == "ward_officer":
        return f"Cán bộ y tế phường {who.ward}"
    return ROLE_WORDS.get(who.role, who.role)


def desk_nav(site: dict[str, str], here: str) -> str:
    """Links between the desk's pages; `site` maps a service to where its pages are served
    ("" or absent: this host)."""
    links = []
    for service, path, label in DESK:
        current = ' aria-current="page"' if service == here else ""
        url = escape(site.get(service, "").rstrip("/") + path, quote=True)
        links.append(f'<a href="{url}"{current}>{escape(label)}</a>')
    return f'<nav class="desk" aria-label="Bàn làm việc">{"".join(links)}</nav>\n'


def sign_in_url(environment: str, site: dict[str, str]) -> str | None:
    """Where staff sign in: the dev stack's page on records; None in production, where the
    city's identity provider signs them in, outside the platform."""
    return None if environment == "production" else site.get("records", "") + "/staff"


def sign_in_notice(message: str, sign_in: str | None, back: str) -> str:
    link = (
        f' <a href="{escape(sign_in, quote=True)}?next={escape(back, quote=True)}">Đăng nhập</a>'
        if sign_in
        else ""
    )
    return f"<p>{escape(message)}{link}</p>"


async def signed_in(
    request: Request, *, title: str, sign_in: str | None, back: str, notice: str | None = None
) -> Principal | Response:
    """The caller of a page, or (no valid session) the page saying where to sign in, 401;
    `notice`: the HTML to say instead (a citizen is sent back to their QR code)."""
    try:
        return await current_principal(request)
    except HTTPException:
        said = notice or sign_in_notice("Bạn cần đăng nhập.", sign_in, back)
        return html(shell(title, said), 401)


def assets_router() -> APIRouter:
    """`/assets/staff.css`, for a service whose pages are only staff pages."""
    assets = APIRouter(include_in_schema=False)

    @assets.get("/assets/staff.css")
    async def staff_css() -> Response:
        headers = {**SECURITY, "Cache-Control": "public, max-age=3600"}
        return Response(STAFF_CSS, media_type="text/css; charset=utf-8", headers=headers)

    return assets
