"""The words citizens read, Vietnamese first: what to add to the record and why, and re-visit
reminders, for SMS, app push, e-mail and Zalo ZNS. Nothing about health beyond the item's name or
the appointment itself: a phone's lock screen or an SMS may be read by someone else."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from hssk_notify.domain import sms

Language = Literal["vi", "en"]
Moment = Literal["day_before", "morning"]

# Record template keys a citizen can self-declare (records' SELF_DECLARABLE) -> (vi, en) words.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "blood_group": ("nhóm máu", "blood group"),
    "height": ("chiều cao", "height"),
    "weight": ("cân nặng", "weight"),
    "drug_allergy": ("dị ứng thuốc", "drug allergies"),
    "other_allergy": ("dị ứng khác", "other allergies"),
    "chronic_diseases": ("bệnh mạn tính", "chronic conditions"),
    "vaccinations": ("tiêm chủng", "vaccinations"),
    "phone": ("số điện thoại", "phone number"),
    "representative_name": ("người đại diện", "representative"),
    "representative_relation": (
        "quan hệ với người đại diện",
        "relationship to your representative",
    ),
    "representative_id": ("số định danh người đại diện", "representative's ID number"),
    "representative_phone": ("điện thoại người đại diện", "representative's phone number"),
}
GENERIC_WORDS = ("thông tin", "details")  # an item this module has no words for
# Why an item matters, for push and e-mail (an SMS has no room); each reads after the item.
WHY: dict[str, tuple[str, str]] = {
    "blood_group": (
        "để được truyền máu kịp thời khi cấp cứu",
        "so you can be given blood quickly in an emergency",
    ),
    "drug_allergy": (
        "để không bác sĩ nào kê loại thuốc gây hại cho bạn",
        "so no doctor prescribes a medicine that harms you",
    ),
    "other_allergy": (
        "để bác sĩ tránh những gì gây dị ứng cho bạn",
        "so doctors avoid what you are allergic to",
    ),
    "chronic_diseases": (
        "để bác sĩ biết bệnh nền của bạn khi cấp cứu",
        "so doctors know your long-term conditions in an emergency",
    ),
    "vaccinations": (
        "để không tiêm thiếu hay tiêm trùng",
        "so you neither miss nor repeat a vaccine",
    ),
    "weight": ("để bác sĩ tính đúng liều thuốc", "so doctors can work out the right dose"),
    "phone": ("để nhận được nhắc lịch tái khám", "so you get your follow-up visit reminders"),
    "representative_name": (
        "để biết ai có thể thay bạn khi cần",
        "so doctors know who can act for you when needed",
    ),
    "representative_phone": (
        "để báo người thân khi bạn cấp cứu",
        "so someone close to you can be called in an emergency",
    ),
}
# Zalo ZNS templates registered with Zalo (id -> parameter names). They are registered in
# Vietnamese, so their parameters stay Vietnamese whatever the citizen's language.
ZNS_TEMPLATES: dict[str, tuple[str, ...]] = {
    "hssk_completeness_v1": ("muc", "lien_ket"),
    "hssk_appointment_v1": ("ngay", "co_so"),
}
NO_WHY = ("vào hồ sơ sức khỏe", "to your health record")  # reads after the item when WHY has none


@dataclass(frozen=True)
class _Wording:
    """One message kind in one language, as format strings; SMS sentences richest first."""

    sms: tuple[str, ...]
    push_title: str
    push_body: str
    email_subject: str
    email_more: str = ""  # a paragraph e-mail adds after the push body


_COMPLETENESS = (
    _Wording(
        sms=(
            "Mời bạn bổ sung {item} vào hồ sơ sức khỏe:",
            "Bổ sung {item} vào hồ sơ sức khỏe:",
            "Hồ sơ sức khỏe thiếu {item}:",
            "Bổ sung {item}:",
        ),
        push_title="Hồ sơ sức khỏe của bạn",
        push_body="Mời bạn bổ sung {item} {why}.",
        email_subject="Mời bạn bổ sung {item} vào hồ sơ sức khỏe",
        email_more="Bạn có thể tự khai tại: {link}",
    ),
    _Wording(
        sms=(
            "Please add your {item} to your health record:",
            "Add your {item} to your health record:",
            "Add your {item}:",
        ),
        push_title="Your health record",
        push_body="Please add your {item} {why}.",
        email_subject="Please add your {item} to your health record",
        email_more="You can add it yourself at: {link}",
    ),
)
_APPOINTMENT = (
    _Wording(
        sms=("Nhắc lịch tái khám {when} {day} tại {where}.", "{When} {day} tái khám tại {where}."),
        push_title="Nhắc lịch tái khám",
        push_body="{When} {day} bạn có lịch tái khám tại {where}. "
        "Vui lòng mang theo căn cước hoặc thẻ BHYT.",
        email_subject="Nhắc lịch tái khám ngày {day}",
    ),
    _Wording(
        sms=(
            "Reminder: your follow-up visit is {when}, {day}, at {where}.",
            "Follow-up visit {when} {day} at {where}.",
        ),
        push_title="Follow-up visit reminder",
        push_body="Your follow-up visit is {when}, {day}, at {where}. "
        "Please bring your ID card or health insurance card.",
        email_subject="Follow-up visit on {day}",
    ),
)
_WHEN: dict[Moment, tuple[str, str]] = {
    "day_before": ("ngày mai", "tomorrow"),
    "morning": ("hôm nay", "today"),
}
_GREETING = ("Kính gửi Quý ông/bà,", "Dear citizen,")
_FOOTER = (
    "Đây là thư tự động của hệ thống Hồ sơ sức khỏe điện tử, vui lòng không trả lời thư này.",
    "This is an automatic message from the electronic health record; please do not reply.",
)


@dataclass(frozen=True)
class Texts:
    sms: str  # the whole SMS sentence, without the link
    sms_keep: str  # the link suffix (" https://…"), to pass as `keep` to sms.fit; "" for none
    push_title: str
    push_body: str
    email_subject: str
    email_body: str
    zns_template: str
    zns_params: dict[str, str]


def _first_fitting(candidates: Sequence[str], keep: str) -> str:
    """The first (richest) sentence that fits one SMS segment with `keep` uncut, else the last
    (shortest), which sms.fit will shorten."""
    for sentence in candidates:
        try:
            if sms.fit(sentence, keep=keep).text == sentence + keep:
                return sentence
        except ValueError:  # `keep` alone does not fit: nothing will, and sms.fit will say so
            break
    return candidates[-1]


def _render(
    wording: _Wording, lang: int, keep: str, zns: tuple[str, dict[str, str]], **values: str
) -> Texts:
    body = wording.push_body.format(**values)
    paragraphs = (_GREETING[lang], body, wording.email_more.format(**values), _FOOTER[lang])
    return Texts(
        sms=_first_fitting([s.format(**values) for s in wording.sms], keep),
        sms_keep=keep,
        push_title=wording.push_title.format(**values),
        push_body=body,
        email_subject=wording.email_subject.format(**values),
        email_body="\n\n".join(p for p in paragraphs if p) + "\n",
        zns_template=zns[0],
        zns_params=zns[1],
    )


def completeness(best_next: str, link: str, language: Language = "vi") -> Texts:
    """One reminder naming the single most valuable missing item, with the self-declaration link."""
    lang = 0 if language == "vi" else 1
    words = FIELD_WORDS.get(best_next, GENERIC_WORDS)
    why = WHY.get(best_next, NO_WHY)[lang]
    zns = ("hssk_completeness_v1", {"muc": words[0], "lien_ket": link})
    return _render(_COMPLETENESS[lang], lang, f" {link}", zns, item=words[lang], why=why, link=link)


def appointment(day: date, facility: str, moment: Moment, language: Language = "vi") -> Texts:
    """A re-visit reminder, the day before or on the morning of the appointment."""
    lang = 0 if language == "vi" else 1
    # The name comes from facility data: one space between words, no full stop of its own.
    where = unicodedata.normalize("NFC", " ".join(facility.split())).rstrip(".")
    ddmmyyyy = f"{day:%d/%m/%Y}"
    when = _WHEN[moment][lang]
    zns = ("hssk_appointment_v1", {"ngay": ddmmyyyy, "co_so": where})
    values = {"when": when, "When": when.capitalize(), "day": ddmmyyyy, "where": where}
    return _render(_APPOINTMENT[lang], lang, "", zns, **values)
