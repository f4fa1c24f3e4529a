"""domain/sms: one-segment SMS, with diacritics (UCS-2, 70) or unaccented (GSM-7, 160)."""

from __future__ import annotations

import random
import unicodedata

import pytest

from hssk_notify.domain.sms import (
    GSM7_SEGMENT,
    UCS2_SEGMENT,
    ambiguous_words,
    fit,
    gsm7_length,
    is_gsm7,
    ucs2_length,
    unaccent,
)

LINK = " https://hssk.vn/k/AbCdEfGh1234"  # 31 characters with its space
VI_WORDS = "Hồ sơ sức khỏe của bạn còn thiếu nhóm máu dị ứng thuốc tiêm chủng đường huyết".split()


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_unaccent_strips_every_vietnamese_diacritic():
    assert unaccent("Hồ sơ sức khỏe điện tử") == "Ho so suc khoe dien tu"
    assert unaccent("ĐƯỜNG Đường đường") == "DUONG Duong duong"
    assert unaccent("ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ýỳỷỹỵ") == (
        "aaaaa aaaaa eeeee ooooo ooooo uuuuu yyyyy"
    )


def test_unaccent_is_the_same_for_nfc_and_nfd_input():
    text = "Nhắc lịch tái khám tại Bệnh viện Đa khoa Đống Đa"
    assert (
        unaccent(nfd(text)) == unaccent(text) == "Nhac lich tai kham tai Benh vien Da khoa Dong Da"
    )


def test_unaccented_vietnamese_is_gsm7():
    text = " ".join(VI_WORDS)
    assert not is_gsm7(text)
    assert is_gsm7(unaccent(text)) and unaccent(text).isascii()
    assert is_gsm7("còn é à")  # a few accented letters are in GSM-7; Vietnamese as a whole is not


def test_gsm7_basic_and_extension():
    assert is_gsm7("Hello @ £$¥ èéùìò ÄÖÑÜ §¿ {}[]~\\|^€")
    assert not is_gsm7("ơ")
    assert not is_gsm7("…")
    assert not is_gsm7("`")
    assert not is_gsm7("😀")
    assert gsm7_length("abc") == 3
    assert gsm7_length("{}[]~\\|^€") == 18
    with pytest.raises(ValueError):
        gsm7_length("ư")


def test_ucs2_length_counts_utf16_code_units():
    assert ucs2_length("Hồ sơ") == 5
    assert ucs2_length("😀") == 2


def test_a_short_vietnamese_text_is_kept_as_is():
    f = fit("Bổ sung nhóm máu vào hồ sơ sức khỏe:", keep=LINK)
    assert f.text == "Bổ sung nhóm máu vào hồ sơ sức khỏe:" + LINK
    assert (f.unicode, f.segments, f.ambiguous) == (True, 1, ())


def test_nfd_input_is_measured_after_composing():
    text = "Bổ sung nhóm máu vào hồ sơ sức khỏe:"  # 36 composed, 47 decomposed
    assert len(nfd(text)) + len(LINK) > UCS2_SEGMENT
    assert fit(nfd(text), keep=LINK).text == text + LINK


def test_exactly_70_ucs2_characters_fit_71_do_not():
    text = "ồ" * 70
    assert fit(text).text == text
    shortened = fit("ồ " * 35 + "ồ")  # 71
    assert ucs2_length(shortened.text) <= UCS2_SEGMENT
    assert shortened.text.endswith("…")


def test_too_long_is_cut_at_a_word_boundary_before_the_link():
    text = " ".join(VI_WORDS)
    f = fit(text, keep=LINK)
    assert f.text.endswith("…" + LINK)
    head = f.text[: -len("…" + LINK)]
    assert text.startswith(head) and text[len(head)] == " "
    assert ucs2_length(f.text) <= UCS2_SEGMENT
    # the next word would not have fitted
    assert ucs2_length(text[: text.index(" ", len(head) + 1)] + "…" + LINK) > UCS2_SEGMENT


def test_trailing_punctuation_is_dropped_before_the_ellipsis():
    f = fit("Nhắc lịch tái khám, " + "cơ sở " * 20, keep=LINK)
    assert ",…" not in f.text and ". …" not in f.text


def test_a_gsm7_text_gets_160_characters_with_unicode_true():
    text = "Please add your blood group to your health record, so that it is ready when needed:"
    assert len(text) + len(LINK) > UCS2_SEGMENT
    f = fit(text, keep=LINK)
    assert f.text == text + LINK
    assert f.unicode is False


def test_gsm7_exactly_160_fits_and_extension_characters_count_double():
    assert fit("a" * 160).text == "a" * 160
    f = fit("a " * 78 + "{}")  # 158 characters but 160 septets
    assert f.text == "a " * 78 + "{}"
    f = fit("a " * 78 + "{}}")  # 161 septets
    assert f.text.endswith("...") and gsm7_length(f.text) <= GSM7_SEGMENT


def test_unaccented_fits_160_and_flags_ambiguous_words():
    text = "Hồ sơ sức khỏe của bạn còn thiếu nhóm máu. Vui lòng bổ sung để cấp cứu kịp thời:"
    f = fit(text, unicode=False, keep=LINK)
    assert f.text == unaccent(text) + LINK
    assert f.unicode is False
    assert is_gsm7(f.text)
    assert set(f.ambiguous) >= {"nhóm", "máu"}


def test_unaccented_too_long_uses_three_dots():
    text = " ".join(VI_WORDS * 5)
    f = fit(text, unicode=False, keep=LINK)
    assert f.text.endswith("..." + LINK)
    assert gsm7_length(f.text) <= GSM7_SEGMENT
    assert "…" not in f.text


def test_unaccented_replaces_what_gsm7_cannot_carry():
    f = fit("“Trích dẫn” – 😀 `x`", unicode=False)
    assert f.text == '"Trich dan" - ? ?x?'
    assert is_gsm7(f.text)


def test_keep_is_never_cut_and_too_long_a_keep_is_refused():
    long_link = " https://hssk.vn/" + "x" * 60  # 77 characters, with diacritics in the text
    with pytest.raises(ValueError):
        fit("Hồ sơ", keep=long_link)
    assert fit("Ho so", keep=long_link).text == "Ho so" + long_link  # GSM-7: 160 applies
    with pytest.raises(ValueError):
        fit("Ho so", keep=" " + "x" * 160)
    with pytest.raises(ValueError):
        fit("Ho so", unicode=False, keep=" https://hssk.vn/😀")


def test_a_keep_that_fills_the_segment_is_sent_alone():
    keep = " " + "ồ" * 69
    assert fit("Hồ sơ sức khỏe", keep=keep).text == "ồ" * 69
    assert fit("", keep=LINK).text == LINK.strip()


def test_a_first_word_longer_than_the_room_is_cut_inside():
    f = fit("Bệnhviệnđakhoa" * 5, keep=LINK)
    assert f.text.endswith("…" + LINK)
    assert ucs2_length(f.text) == UCS2_SEGMENT


def test_property_random_texts_always_fit_one_segment_and_keep_the_link():
    rng = random.Random(20261205)
    for _ in range(300):
        words = rng.choices([*VI_WORDS, "a", "ờ", "{x}", "😀", "test"], k=rng.randint(0, 40))
        text, unicode = " ".join(words), rng.random() < 0.5
        f = fit(text, unicode=unicode, keep=LINK)
        if not text:
            assert f.text == LINK.strip()
            continue
        assert f.segments == 1 and f.text.endswith(LINK)
        limit, measure = (
            (GSM7_SEGMENT, gsm7_length) if is_gsm7(f.text) else (UCS2_SEGMENT, ucs2_length)
        )
        assert measure(f.text) <= limit
        assert f.unicode is not is_gsm7(f.text)
        if not unicode:
            assert is_gsm7(f.text)
        body = f.text[: -len(LINK)]
        plain = text if unicode else "".join(c if is_gsm7(c) else "?" for c in unaccent(text))
        if body.endswith(("…", "...")):
            head = body.removesuffix("…").removesuffix("...")
            assert plain.startswith(head) and plain[len(head)] == " "
        else:
            assert body == plain


def test_ambiguous_words_flags_the_curated_confusions():
    assert ambiguous_words("Nhóm máu, dị ứng thuốc, tiêm chủng, đường huyết, hẹn tái khám") == (
        "nhóm",
        "máu",
        "dị",
        "ứng",
        "thuốc",
        "tiêm",
        "đường",
        "hẹn",
        "tái",
        "khám",
    )


@pytest.mark.parametrize(
    "word", ["đường", "dương", "máu", "mau", "màu", "mẫu", "khám", "thuốc", "thuộc", "bệnh", "lịch"]
)
def test_each_listed_word_is_flagged(word):
    assert ambiguous_words(word) == (word,)


def test_words_without_a_confusion_are_not_flagged():
    assert ambiguous_words("Vui lòng xét nghiệm huyết áp") == ()
    assert ambiguous_words("") == ()


def test_ambiguous_words_are_lower_case_once_each_and_nfd_safe():
    assert ambiguous_words(nfd("MÁU máu Máu")) == ("máu",)
