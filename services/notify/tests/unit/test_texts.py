"""domain/texts: the words citizens read, for each channel, in Vietnamese and English."""

from __future__ import annotations

import re
from datetime import date

import pytest

from hssk_notify.domain import sms
from hssk_notify.domain.texts import (
    FIELD_WORDS,
    WHY,
    ZNS_TEMPLATES,
    Language,
    Moment,
    Texts,
    appointment,
    completeness,
)

LINK = "https://hssk.vn/k/AbCdEfGh1234"  # 30 characters
DAY = date(2026, 12, 5)
FACILITIES30 = ("Bệnh viện Đa khoa tỉnh Phú Thọ", "Trung tâm Y tế huyện Thanh Trì")
FACILITY30 = FACILITIES30[0]
# records' SELF_DECLARABLE keys (services/records/.../domain/template.py), copied, not imported:
# notify does not depend on records.
SELF_DECLARABLE = {
    "drug_allergy",
    "other_allergy",
    "chronic_diseases",
    "blood_group",
    "vaccinations",
    "height",
    "weight",
    "phone",
    "representative_name",
    "representative_relation",
    "representative_id",
    "representative_phone",
}
KEYS = [*FIELD_WORDS, "main_icd10", "not_a_field"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
MOMENTS: tuple[Moment, ...] = ("day_before", "morning")


def all_text(t: Texts) -> str:
    return " ".join([t.sms, t.push_title, t.push_body, t.email_subject, t.email_body])


def test_every_self_declarable_field_has_words_in_both_languages():
    assert set(FIELD_WORDS) == SELF_DECLARABLE
    for vi, en in FIELD_WORDS.values():
        assert vi and en and vi != en
        assert en.isascii()
    assert set(WHY) <= set(FIELD_WORDS)
    assert {"blood_group", "drug_allergy", "chronic_diseases"} <= set(WHY)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_completeness_sms_fits_one_segment_with_a_30_character_link_uncut(key, language):
    assert len(LINK) == 30
    t = completeness(key, LINK, language)
    assert t.sms_keep == " " + LINK
    fitted = sms.fit(t.sms, keep=t.sms_keep)
    assert fitted.text == t.sms + t.sms_keep  # nothing shortened
    assert "…" not in fitted.text


@pytest.mark.parametrize("key", KEYS)
def test_completeness_names_the_item_and_the_link(key):
    vi, en = completeness(key, LINK, "vi"), completeness(key, LINK, "en")
    if key in FIELD_WORDS:
        assert FIELD_WORDS[key][0] in vi.sms and FIELD_WORDS[key][0] in vi.push_body
        assert FIELD_WORDS[key][1] in en.sms and FIELD_WORDS[key][1] in en.email_subject
    else:
        assert "thông tin" in vi.sms and "details" in en.sms
    for t in (vi, en):
        assert LINK not in t.sms
        assert LINK in t.email_body


def test_completeness_sms_in_vietnamese():
    t = completeness("blood_group", LINK)
    assert t.sms == "Bổ sung nhóm máu vào hồ sơ sức khỏe:"
    assert "truyền máu" in t.push_body  # the reason it matters


def test_a_shorter_link_gets_the_politer_sentence():
    assert completeness("blood_group", "https://hssk.vn/k/a").sms == (
        "Mời bạn bổ sung nhóm máu vào hồ sơ sức khỏe:"
    )


def test_completeness_in_english():
    t = completeness("drug_allergy", LINK, "en")
    assert t.sms == "Please add your drug allergies to your health record:"
    assert (
        t.push_body
        == "Please add your drug allergies so no doctor prescribes a medicine that harms you."
    )
    assert all_text(t).isascii()


def test_an_item_without_a_reason_still_reads_well():
    assert completeness("height", LINK).push_body == "Mời bạn bổ sung chiều cao vào hồ sơ sức khỏe."
    assert completeness("height", LINK, "en").push_body == (
        "Please add your height to your health record."
    )


def test_completeness_zns_template_is_registered_and_vietnamese():
    for language in LANGUAGES:
        t = completeness("blood_group", LINK, language)
        assert t.zns_template == "hssk_completeness_v1"
        assert t.zns_params == {"muc": "nhóm máu", "lien_ket": LINK}
    assert completeness("nope", LINK).zns_params["muc"] == "thông tin"


def test_a_link_too_long_for_any_sentence_leaves_the_shortest_for_sms_fit_to_refuse():
    t = completeness("blood_group", "https://hssk.vn/" + "x" * 80)
    assert t.sms == "Bổ sung nhóm máu:"
    with pytest.raises(ValueError):
        sms.fit(t.sms, keep=t.sms_keep)


@pytest.mark.parametrize("moment", ["day_before", "morning"])
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("facility", FACILITIES30)
def test_appointment_sms_fits_one_segment_with_a_30_character_facility(moment, language, facility):
    assert len(facility) == 30
    t = appointment(DAY, facility, moment, language)
    assert t.sms_keep == ""
    fitted = sms.fit(t.sms)
    assert fitted.text == t.sms
    assert "05/12/2026" in t.sms and facility in t.sms


def test_appointment_in_vietnamese():
    t = appointment(DAY, "Bệnh viện Bạch Mai", "day_before")
    assert t.sms == "Nhắc lịch tái khám ngày mai 05/12/2026 tại Bệnh viện Bạch Mai."
    assert t.push_title == "Nhắc lịch tái khám"
    assert "căn cước" in t.push_body
    assert t.email_subject == "Nhắc lịch tái khám ngày 05/12/2026"
    morning = appointment(DAY, "Bệnh viện Bạch Mai", "morning")
    assert morning.sms == "Nhắc lịch tái khám hôm nay 05/12/2026 tại Bệnh viện Bạch Mai."
    assert morning.push_body.startswith("Hôm nay 05/12/2026")


def test_appointment_in_english():
    t = appointment(DAY, "Bach Mai Hospital", "morning", "en")
    assert t.sms == "Reminder: your follow-up visit is today, 05/12/2026, at Bach Mai Hospital."
    assert all_text(t).isascii()


def test_appointment_facility_is_tidied():
    t = appointment(DAY, "  Bệnh viện   Bạch Mai. ", "day_before")
    assert t.zns_params == {"ngay": "05/12/2026", "co_so": "Bệnh viện Bạch Mai"}
    assert "Mai.." not in t.sms and "  " not in t.sms


def test_a_very_long_facility_is_shortened_by_sms_fit_not_lost():
    t = appointment(DAY, "Bệnh viện " + "Đa khoa " * 10 + "Trung ương", "morning")
    fitted = sms.fit(t.sms)
    assert fitted.text.startswith("Hôm nay 05/12/2026 tái khám tại Bệnh viện")
    assert fitted.text.endswith("…") and sms.ucs2_length(fitted.text) <= sms.UCS2_SEGMENT


@pytest.mark.parametrize(
    "t",
    [completeness(k, LINK, lang) for k in KEYS for lang in LANGUAGES]
    + [appointment(DAY, FACILITY30, m, lang) for m in MOMENTS for lang in LANGUAGES],
)
def test_every_text_is_complete_and_uses_a_registered_zns_template(t):
    assert all([t.sms, t.push_title, t.push_body, t.email_subject, t.email_body])
    assert set(t.zns_params) == set(ZNS_TEMPLATES[t.zns_template])
    assert all(t.zns_params.values())
    assert not re.search(r"\{\w*\}", all_text(t))  # no format field left unfilled
    assert t.email_body.endswith("\n") and "\n\n" in t.email_body


def test_no_health_detail_beyond_the_item_or_the_appointment():
    # Words of diagnoses, results or treatment never appear in a reminder.
    forbidden = re.compile(r"chẩn đoán|kết quả|xét nghiệm|ICD|diagnos|result|dương tính", re.I)
    for key in KEYS:
        for lang in LANGUAGES:
            assert not forbidden.search(all_text(completeness(key, LINK, lang)))
    assert not forbidden.search(all_text(appointment(DAY, FACILITY30, "morning")))
