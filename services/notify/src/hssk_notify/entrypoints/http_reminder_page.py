"""The citizen's reminder settings as a page of notify's own (`/me/reminders`), linked from the
citizen's record page: whether to be reminded at all, on which channels, in which language, and
an e-mail address. The citizen's session cookie opens it (the same HttpOnly, SameSite=Strict
cookie the record page uses); a wrong value is said in Vietnamese beside its field and changes
nothing; the same use cases as `/v1/me/preferences`."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from hssk_kit import staff_pages as pages
from hssk_notify import handlers, reading
from hssk_notify.domain import preferences
from hssk_notify.stores import Stores

TITLE = "Nhắc nhở của tôi"
NO_CHANNEL = preferences.problem(
    "channels",
    "required",
    "Chọn ít nhất một cách nhận, hoặc chọn không nhận nhắc nhở.",
    "Choose at least one channel, or choose no reminders.",
)
CHANNELS = (("zalo", "Zalo"), ("sms", "Tin nhắn SMS"), ("email", "Thư điện tử (email)"))


def router(*, stores: Stores, site: dict[str, str]) -> APIRouter:
    page = APIRouter(include_in_schema=False)
    back = escape(site.get("records", "").rstrip("/") + "/me", quote=True)

    async def citizen(request: Request) -> str | Response:
        again = f'<p>Hãy mở lại trang hồ sơ bằng mã QR của bạn. <a href="{back}">Hồ sơ</a></p>'
        who = await pages.signed_in(request, title=TITLE, sign_in=None, back="", notice=again)
        if isinstance(who, Response):
            return who
        if who.role != "citizen" or who.person_id is None:
            return pages.html(pages.shell(TITLE, "<p>Trang này dành cho người dân.</p>"), 403)
        return who.person_id

    @page.get("/me/reminders")
    async def show(request: Request) -> Response:
        person = await citizen(request)
        if isinstance(person, Response):
            return person
        state = await reading.state_of(person, stores=stores)
        saved = request.query_params.get("saved") == "1"
        shown = state.preferences.model_dump()
        shown["channels"] = list(shown["channels"]) or [c for c, _ in CHANNELS]  # default: all
        return pages.html(pages.shell(TITLE, _form(shown, back, saved=saved), citizen=True))

    @page.post("/me/reminders")
    async def save(request: Request) -> Response:
        person = await citizen(request)
        if isinstance(person, Response):
            return person
        form = parse_qs((await request.body()).decode("utf-8", "replace")[:4000])
        asked: dict[str, Any] = {
            "opt_out": form.get("opt_out") == ["yes"],
            "channels": [c for c, _ in CHANNELS if c in form.get("channel", [])],
            "language": (form.get("language") or ["vi"])[0],
            "email": (form.get("email") or [""])[0].strip() or None,
        }
        current = (await reading.state_of(person, stores=stores)).preferences
        wanted, problems = preferences.parse(asked, current)
        if not asked["channels"] and not asked["opt_out"]:  # none ticked: not "the default"
            wanted, problems = None, [*problems, NO_CHANNEL]
        if wanted is None:  # the form again as the citizen filled it, each problem by its field
            said = {p["field"]: p["message"] for p in problems}
            page = _form(asked, back, problems=said)
            return pages.html(pages.shell(TITLE, page, citizen=True), 422)
        await handlers.set_preferences(person, wanted, stores=stores)
        return RedirectResponse("/me/reminders?saved=1", 303, headers=pages.SECURITY)

    return page


def _form(
    p: dict[str, Any], back: str, *, saved: bool = False, problems: dict[str, str] | None = None
) -> str:
    """`p`: the settings to show (opt_out, channels, language, email), as held or as sent."""
    problems = problems or {}

    def tied(field: str) -> str:
        """A field with a refusal says so, and names it, to a screen reader."""
        return f' aria-invalid="true" aria-describedby="error-{field}"' if field in problems else ""

    def error(field: str) -> str:
        said = problems.get(field)
        return (
            f'<p class="problem" id="error-{field}" role="alert">{escape(said)}</p>' if said else ""
        )

    chosen = set(p["channels"])
    boxes = "".join(
        f'<div><input type="checkbox" name="channel" value="{c}" id="ch-{c}"'
        f'{" checked" if c in chosen else ""}> <label for="ch-{c}">{label}</label></div>'
        for c, label in CHANNELS
    )
    language = "".join(
        f'<option value="{v}"{" selected" if p["language"] == v else ""}>{label}</option>'
        for v, label in (("vi", "Tiếng Việt"), ("en", "English"))
    )
    done = '<p class="done" role="status">Đã lưu.</p>' if saved else ""
    off = " checked" if p["opt_out"] else ""
    return f"""{done}
<p class="note">Thành phố nhắc bạn bổ sung hồ sơ sức khỏe và nhắc lịch tái khám, không quá
một lần mỗi tuần, từ 7 giờ đến 21 giờ.</p>
<form method="post" action="/me/reminders" novalidate>
<section aria-labelledby="opt-title"><h2 id="opt-title">Có nhận nhắc nhở không</h2>
<div><input type="checkbox" name="opt_out" value="yes" id="opt_out"{off}>
<label for="opt_out">Tôi không muốn nhận nhắc nhở</label></div>{error("opt_out")}</section>
<section aria-labelledby="ch-title"><h2 id="ch-title">Nhận qua</h2>{boxes}{error("channels")}
</section>
<section aria-labelledby="mail-title"><h2 id="mail-title">Thư điện tử</h2>
<label for="email">Địa chỉ email (không bắt buộc)</label>
<input type="email" id="email" name="email" value="{escape(p["email"] or "", quote=True)}"
 autocomplete="email"{tied("email")}>{error("email")}</section>
<section aria-labelledby="lang-title"><h2 id="lang-title">Ngôn ngữ</h2>
<label for="language">Ngôn ngữ của tin nhắn</label>
<select id="language" name="language"{tied("language")}>{language}</select>
{error("language")}</section>
<div class="actions"><button type="submit" class="primary">Lưu</button></div>
</form>
<p><a href="{back}">← Về hồ sơ của tôi</a></p>"""
