"""The ward officer's desk, identity's part: the ward's open reviews, each the record that came
in beside every candidate the matcher weighed (field by field, with the weight each field gave),
and the two answers an officer gives: the same person (link) or not. The same use cases, scope
and audit as `/v1/review-queue`; a form post from this page only (the session cookie is
SameSite=Strict), answered by a redirect back with what was done."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from hssk_identity import lookups, merges
from hssk_identity.domain.review import Resolution, Review
from hssk_identity.ports import Index
from hssk_kit import staff_pages as pages
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal

TITLE = "Xác minh danh tính"
REVIEWERS = ("ward_officer", "operator")
FIELDS = (  # what a review shows, in this order
    ("name", "Họ tên"), ("birth_date", "Ngày sinh"), ("sex", "Giới"), ("phone", "Điện thoại"),
    ("commune_code", "Mã phường"), ("address", "Địa chỉ"), ("identifiers", "Giấy tờ"),
)  # fmt: skip
DONE = {
    "link": "Đã gộp: hai hồ sơ là một người.",
    "not_a_match": "Đã giữ riêng: không phải cùng một người.",
}
WEIGHED = {  # a comparison (matching.py) -> the field it weighs; the rest weigh identifiers
    "name": "name", "surname": "name", "birth": "birth_date", "sex": "sex", "phone": "phone",
    "commune": "commune_code", "address": "address",
}  # fmt: skip
LEVELS = {"agree": "khớp", "disagree": "khác", "different": "khác", "exact": "trùng",
          "typo": "gõ nhầm"}  # fmt: skip
ANSWERS: dict[str, Resolution] = {"link": "link", "not_a_match": "not_a_match"}
SEX = {"male": "nam", "female": "nữ", "other": "khác", "unknown": "không rõ"}


def router(*, index: Index, publish, audit: AuditLog, site: dict[str, str],
           sign_in: str | None) -> APIRouter:  # fmt: skip
    desk = APIRouter(include_in_schema=False)
    nav = pages.desk_nav(site, "identity")

    async def reviewer(request: Request) -> Principal | Response:
        who = await pages.signed_in(request, title=TITLE, sign_in=sign_in, back="/desk")
        if isinstance(who, Response):
            return who
        if who.role not in REVIEWERS:
            await audit.append(
                lookups.refused(who, "review.read", f"role {who.role} may not review")
            )
            return pages.html(pages.shell(TITLE, "<p>Vai trò của bạn không dùng trang này.</p>"),
                              403)  # fmt: skip
        return who

    @desk.get("/desk/reviews")
    async def reviews_page(request: Request) -> Response:
        who = await reviewer(request)
        if isinstance(who, Response):
            return who
        reviews = await lookups.open_reviews(who, index=index, audit=audit)
        shown = []
        for review in reviews[:50]:
            people = {
                c.person_id: await lookups.read_person(c.person_id, who, index=index, audit=audit)
                for c in review.candidates
            }
            shown.append(_review(review, people))
        said = DONE.get(request.query_params.get("done", ""), "")
        body = (f'<p class="done" role="status">{escape(said)}</p>' if said else "") + (
            "".join(shown) or "<p>Không có hồ sơ nào chờ xác minh trong phường.</p>"
        )
        return pages.html(pages.shell(TITLE, body, who=pages.who_label(who), nav=nav))

    @desk.post("/desk/reviews/{review_id}")
    async def resolve(review_id: str, request: Request) -> Response:
        who = await reviewer(request)
        if isinstance(who, Response):
            return who
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()[:2000]).items()}
        resolution = ANSWERS.get(form.get("resolution", ""))
        link_to = form.get("link_to") or None
        if resolution is None or not await lookups.review_in_scope(
            review_id, who, index=index, audit=audit
        ):
            return _refused("Không tìm thấy hồ sơ chờ xác minh này trong phường.", nav, 404)
        try:
            await merges.resolve_review(
                review_id,
                resolution,
                link_to,
                by=who.subject,
                role=who.role,
                index=index,
                publish=publish,
                audit=audit,
            )
        except merges.ActionRefused as exc:
            return _refused(f"Không thực hiện được: {exc}", nav, 409)
        return RedirectResponse(f"/desk/reviews?done={resolution}", 303, headers=pages.SECURITY)

    return desk


def _refused(message: str, nav: str, status: int) -> Response:
    body = f'<p class="problem" role="alert">{escape(message)}</p><p><a href="/desk/reviews">' \
           "Quay lại hàng chờ</a></p>"  # fmt: skip
    return pages.html(pages.shell(TITLE, body, nav=nav), status)


def _review(review: Review, people: dict[str, Any]) -> str:
    came = review.query
    cards = []
    for c in review.candidates:
        person = people.get(c.person_id)
        theirs = person.model_dump(mode="json") if person is not None else None
        by_field: dict[str, list[tuple[str, float]]] = {}
        for key, weight in c.weights.items():  # "<comparison>:<level>" (or "surname")
            kind, _, level = key.partition(":")
            by_field.setdefault(WEIGHED.get(kind, "identifiers"), []).append((level, weight))
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}</th><td>{_value(field, came.get(field))}</td>'
            f"<td>{_value(field, theirs.get(field)) if theirs else '—'}</td>"
            f'<td class="n">{_weights(by_field.get(field, []))}</td></tr>'
            for field, label in FIELDS
        )
        actions = (
            f'<form method="post" action="/desk/reviews/{escape(review.review_id, quote=True)}">'
            '<input type="hidden" name="resolution" value="link">'
            f'<input type="hidden" name="link_to" value="{escape(c.person_id, quote=True)}">'
            '<button type="submit" class="primary">Cùng một người: gộp</button></form>'
            if theirs
            else '<p class="note">Ứng viên ở phường khác: chỉ vận hành viên xem được.</p>'
        )
        cards.append(
            '<div class="card"><div class="scroll" tabindex="0">'
            f'<table class="figures"><caption>Ứng viên, điểm '
            f'{c.score:.1f}</caption><thead><tr><th scope="col">Trường</th>'
            '<th scope="col">Hồ sơ mới</th><th scope="col">Ứng viên</th>'
            f'<th scope="col">Trọng số</th></tr></thead><tbody>{rows}</tbody></table></div>'
            f'<div class="actions">{actions}</div></div>'
        )
    keep = (
        f'<form method="post" action="/desk/reviews/{escape(review.review_id, quote=True)}">'
        '<input type="hidden" name="resolution" value="not_a_match">'
        '<button type="submit">Không phải cùng một người</button></form>'
    )
    since = review.created_at.strftime("%d/%m/%Y")
    return (
        f'<section class="review" id="review-{escape(review.review_id, quote=True)}">'
        f"<h2>{escape(str(came.get('name') or 'Hồ sơ mới'))}</h2>"
        f'<p class="note">Chờ từ {since}. Lý do: {escape(review.reason)}</p>'
        f'<div class="pair">{"".join(cards)}</div><div class="actions">{keep}</div></section>'
    )


def _value(field: str, value: Any) -> str:
    if value in (None, "", []):
        return '<span class="hidden">—</span>'
    if field == "identifiers":
        return "<br>".join(f"{escape(i['type'])}: {escape(str(i['value']))}" for i in value)
    if field == "sex":
        return escape(SEX.get(value, str(value)))
    return escape(str(value))


def _weights(found: list[tuple[str, float]]) -> str:
    """Each weight the field gave, and the comparison's level in words (−9,0 khác)."""
    if not found:
        return "—"
    return "<br>".join(
        f"{w:+.1f}".replace(".", ",") + (f" {escape(LEVELS.get(level, level))}" if level else "")
        for level, w in found
    )
