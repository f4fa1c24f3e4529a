"""The ward officer's desk, notify's part: the ward's citizens no channel could reach, oldest
first, with what to ask them when the officer calls or visits. Ticking some and asking for
codes posts them to records' desk, listed there (nothing is issued yet, and no person id lands
in an address bar): the officer then prints the household's QR sheet there. The same use
case, scope and audit as `GET /v1/worklist`."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request, Response

from hssk_kit import staff_pages as pages
from hssk_kit.audit import AuditLog
from hssk_notify import reading
from hssk_notify.domain.texts import FIELD_WORDS
from hssk_notify.stores import Stores

TITLE = "Người dân không liên lạc được"
WHY = {"no_channel": "không có kênh liên lạc", "failed": "gửi không đến"}


def router(*, stores: Stores, audit: AuditLog, site: dict[str, str],
           sign_in: str | None) -> APIRouter:  # fmt: skip
    desk = APIRouter(include_in_schema=False)
    nav = pages.desk_nav(site, "notify")
    records_desk = escape(site.get("records", "").rstrip("/") + "/desk", quote=True)

    @desk.get("/desk/worklist")
    async def worklist_page(request: Request) -> Response:
        who = await pages.signed_in(request, title=TITLE, sign_in=sign_in, back="/desk")
        if isinstance(who, Response):
            return who
        items = (
            await reading.worklist_of(who.ward, who, stores=stores, audit=audit)
            if who.role == "ward_officer" and who.ward
            else None
        )
        if items is None:
            if who.role != "ward_officer":  # (worklist_of audited an officer's own refusal)
                await audit.append(reading.refused(who, "worklist.read", "not a ward officer"))
            body = "<p>Chỉ cán bộ y tế phường xem danh sách của phường mình.</p>"
            return pages.html(pages.shell(TITLE, body, nav=nav), 403)
        rows = "".join(
            '<tr><td><input type="checkbox" name="p" '
            f'value="{escape(i.person_id, quote=True)}" id="p-{k}" aria-label="Chọn"></td>'
            f'<td><label for="p-{k}"><code>{escape(i.person_id)}</code></label></td>'
            f"<td>{escape(WHY.get(i.reason, i.reason))}</td>"
            f"<td>{escape(FIELD_WORDS.get(i.ask, (i.ask or 'lịch hẹn',))[0])}</td>"
            f"<td>{i.since.strftime('%d/%m/%Y')}</td></tr>"
            for k, i in enumerate(items)
        )
        body = (
            '<p class="note">Gọi điện hoặc đến nhà; hỏi điều còn thiếu, hoặc in mã QR để người '
            "dân tự khai.</p>"
            f'<form method="post" action="{records_desk}"><div class="scroll" tabindex="0"><table>'
            '<thead><tr><th scope="col"></th><th scope="col">Mã người dân</th>'
            '<th scope="col">Vì sao</th><th scope="col">Cần hỏi</th><th scope="col">Từ</th>'
            f"</tr></thead><tbody>{rows}</tbody></table></div>"
            '<div class="actions"><button type="submit" class="primary">In mã QR cho người đã '
            "chọn</button></div></form>"
            if items
            else "<p>Phường không có ai ngoài tầm liên lạc.</p>"
        )
        page = pages.shell(TITLE, body, who=pages.who_label(who), nav=nav)
        return pages.html(page, forms_to=site.get("records", ""))

    return desk
