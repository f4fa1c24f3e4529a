"""The ward officer's desk, records' part: QR codes for a household on one printable A4 sheet.
The officer lists the citizens (pasted from the insurance list, or ticked on notify's worklist,
which posts them here); each code is issued by the same use case, scope and audit as
`POST /v1/records/{id}/qr`; a citizen outside the officer's ward gets no code and is named as
not found. The desk's other pages are identity's review queue and notify's worklist."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response

from hssk_contracts.codes import ENTITY_ID
from hssk_kit import staff_pages as pages
from hssk_kit.audit import AuditEntry
from hssk_kit.auth import Principal
from hssk_records import qr_login
from hssk_records.context import Context
from hssk_records.domain.stats.shares import VN
from hssk_records.entrypoints import qr_images

MOST_ON_A_SHEET = 8  # two a row, four rows: one A4 page
PERSON = re.compile(ENTITY_ID)
TITLE = "Bàn làm việc cán bộ y tế phường"


def router(ctx: Context, *, site: dict[str, str], sign_in: str | None) -> APIRouter:
    desk = APIRouter(include_in_schema=False)
    nav = pages.desk_nav(site, "records")

    async def officer(request: Request, back: str) -> Principal | Response:
        who = await pages.signed_in(request, title=TITLE, sign_in=sign_in, back=back)
        if isinstance(who, Response):
            return who
        if who.role != "ward_officer":
            await ctx.audit.append(
                AuditEntry(actor=who.subject, role=who.role, action="desk.open", person_id=None,
                           purpose="ward desk", outcome="denied", facility=who.facility,
                           ward=who.ward, detail=f"role {who.role} is not a ward officer")
            )  # fmt: skip
            return pages.html(pages.shell(TITLE, "<p>Chỉ cán bộ y tế phường dùng trang này.</p>"),
                              403)  # fmt: skip
        return who

    async def desk_page(request: Request, listed: list[str]) -> Response:
        who = await officer(request, "/desk")
        if isinstance(who, Response):
            return who
        people = "\n".join(p for p in listed if PERSON.fullmatch(p))
        body = FORM.replace("{people}", escape(people)).replace("{most}", str(MOST_ON_A_SHEET))
        return pages.html(pages.shell(TITLE, body, who=pages.who_label(who), nav=nav))

    @desk.get("/desk")
    async def empty_desk(request: Request) -> Response:
        return await desk_page(request, [])

    @desk.post("/desk")
    async def desk_with_people(request: Request) -> Response:
        """The desk with the citizens ticked on notify's worklist listed (posted, so no person
        id lands in an address bar or a history): issues nothing yet."""
        form = parse_qs((await request.body()).decode("utf-8", "replace")[:20_000])
        return await desk_page(request, form.get("p", [])[:100])

    @desk.post("/desk/qr-sheet")
    async def qr_sheet(request: Request) -> Response:
        who = await officer(request, "/desk")
        if isinstance(who, Response):
            return who
        form = parse_qs((await request.body()).decode("utf-8", "replace")[:20_000])
        pasted = " ".join(form.get("people", []))
        wanted = list(dict.fromkeys(re.findall(ENTITY_ID.strip("^$"), pasted)))
        if not wanted:
            problem = '<p class="problem">Chưa có mã người dân nào hợp lệ.</p>'
            body = problem + FORM.replace("{people}", "").replace("{most}", str(MOST_ON_A_SHEET))
            return pages.html(pages.shell(TITLE, body, who=pages.who_label(who), nav=nav), 422)
        issued = [
            (person_id, await qr_login.issue(
                person_id, who, records=ctx.stores.records, audit=ctx.audit,
                key=ctx.policy.qr_key, now=ctx.clock(), lasts=ctx.policy.qr_lasts,
            ))
            for person_id in wanted[:MOST_ON_A_SHEET]
        ]  # fmt: skip
        return pages.html(pages.shell("Mã QR hồ sơ sức khỏe", _sheet(ctx, issued, len(wanted)),
                                      who=pages.who_label(who), nav=nav))  # fmt: skip

    return desk


def _sheet(ctx: Context, issued: list, asked: int) -> str:
    cards, missing = [], []
    for person_id, done in issued:
        if done.token is None:
            missing.append(person_id)
            continue
        url = f"{ctx.policy.public_url}/q/{done.token}"
        until = done.expires_at.astimezone(VN).strftime("%H:%M ngày %d/%m/%Y")
        cards.append(
            f'<div class="qr"><p class="name">{escape(done.name or "Người dân")}</p>'
            f"{qr_images.svg(url)}"
            '<p class="how">Mở camera điện thoại, quét mã, rồi bấm “Mở hồ sơ” để tự khai '
            "chiều cao, cân nặng, nhóm máu, dị ứng.</p>"
            f'<p class="how">Dùng được một lần, đến {escape(until)}.</p>'
            f'<p class="url">{escape(url)}</p></div>'
        )
    notes = []
    if missing:
        notes.append(
            '<p class="problem no-print">Không tìm thấy trong phường của bạn: '
            + ", ".join(f"<code>{escape(m)}</code>" for m in missing)
            + "</p>"
        )
    if asked > len(issued):
        notes.append(f'<p class="note no-print">Một tờ in tối đa {MOST_ON_A_SHEET} mã; '
                     f"{asked - len(issued)} người còn lại: in tờ tiếp theo.</p>")  # fmt: skip
    ready = '<p class="note no-print">In bằng lệnh In của trình duyệt, khổ A4.</p>'
    return "".join(notes) + ready + f'<div class="sheet">{"".join(cards)}</div>'


FORM = """
<section aria-labelledby="qr-title">
<h2 id="qr-title">In mã QR cho một hộ gia đình</h2>
<p class="note">Mỗi người một mã, dùng một lần, để tự khai hồ sơ trên điện thoại.
Dán mã người dân (mỗi dòng một người, tối đa {most} người một tờ A4), hoặc chọn từ danh sách
“Không liên lạc được”.</p>
<form method="post" action="/desk/qr-sheet">
<label for="people">Mã người dân</label>
<textarea id="people" name="people" rows="6" spellcheck="false">{people}</textarea>
<div class="actions"><button type="submit" class="primary">Tạo tờ mã QR</button></div>
</form>
</section>
"""
