"""hssk_identity.domain.names: repairing, normalising and comparing Vietnamese names."""

from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

import pytest

from hssk_identity.domain import legacy_encodings, names
from hssk_identity.domain.names import Name, parse, repair_mojibake, surname_weight

SAMPLE_NAMES = [
    "Nguyễn Văn Hùng",
    "Trần Thị Thu Hương",
    "Lê Hoàng Việt",
    "Phạm Ngọc Ánh",
    "Đặng Thị Ngọc Huệ",
    "Huỳnh Quốc Dũng",
    "Võ Thị Sáu",
    "Dương Quỳnh Như",
    "Bùi Xuân Trường",
    "Đỗ Thanh Tâm",
    "Ngô Bảo Châu",
    "Trịnh Công Sơn",
    "Hồ Xuân Hương",
    "Nguyễn Thị Hòa",
    "Lý Thị Kim Yến",
]


# --- parse -----------------------------------------------------------------------------------


def test_parse_splits_and_folds_a_name():
    assert parse("Nguyễn Thị Hoà") == Name(
        display="Nguyễn Thị Hòa",
        exact="NGUYỄN THỊ HÒA",
        folded="NGUYEN THI HOA",
        family="NGUYEN",
        middle=("THI",),
        given="HOA",
    )


def test_parse_decomposed_input_equals_composed_input():
    composed = "Nguyễn Thị Thúy Hằng"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert parse(decomposed) == parse(composed)
    assert parse(decomposed).display == composed


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        # open syllable, two vowels: the tone goes on the first (hòa style)
        ("hoà", "Hòa"),
        ("hòa", "Hòa"),
        ("thuý", "Thúy"),
        ("thúy", "Thúy"),
        ("khoẻ", "Khỏe"),
        ("khỏe", "Khỏe"),
        ("Thuỵ", "Thụy"),
        ("Thụy", "Thụy"),
        ("cuả", "Của"),
        # a final consonant pulls the tone to the last vowel, wherever it was typed
        ("Hòang", "Hoàng"),
        ("Hoàng", "Hoàng"),
        ("Hùynh", "Huỳnh"),
        ("Tóan", "Toán"),
        # a vowel with a mark (ă â ê ô ơ ư) always carries the tone; in ươ it is the ơ
        ("Nguỹên", "Nguyễn"),
        ("Túân", "Tuấn"),
        ("Ngừơi", "Người"),
        ("Thủơ", "Thuở"),
        # three vowels, open: the middle one
        ("Ngòai", "Ngoài"),
        ("khủyu", "Khuỷu"),
        # qu and gi are consonants
        ("quý", "Quý"),
        ("già", "Già"),
        ("gìn", "Gìn"),
        ("Quỳnh", "Quỳnh"),
    ],
)
def test_tone_is_placed_one_way(typed, canonical):
    assert parse(typed).display == canonical
    assert parse(unicodedata.normalize("NFD", typed)).display == canonical


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [("Nguyễn Thị Hoà", "Nguyễn Thị Hòa"), ("Lê Thanh Thuý", "Lê Thanh Thúy"),
     ("Trần Văn Khoẻ", "Trần Văn Khỏe"), ("Phạm Thuỵ Vy", "Phạm Thụy Vy")],
)  # fmt: skip
def test_old_and_new_tone_placement_are_exact_equal(old_style, new_style):
    a, b = parse(old_style), parse(new_style)
    assert (a.display, a.exact) == (b.display, b.exact)
    assert names.compare(a, b) == names.EXACT


def test_case_and_whitespace_do_not_matter():
    shouted = parse("  NGUYỄN   THỊ \t LAN ")
    quiet = parse("nguyễn thị lan")
    assert shouted.display == quiet.display == "Nguyễn Thị Lan"
    assert names.compare(shouted, quiet) == names.EXACT


def test_d_with_stroke_folds_to_d():
    name = parse("Đặng Đức Đạt")
    assert name.exact == "ĐẶNG ĐỨC ĐẠT"
    assert name.folded == "DANG DUC DAT"
    assert (name.family, name.middle, name.given) == ("DANG", ("DUC",), "DAT")


def test_eth_lookalike_is_read_as_d_with_stroke():
    assert parse("Ðặng Văn Ðức").display == "Đặng Văn Đức"


def test_folding_removes_vowel_marks_as_well_as_tones():
    assert parse("Dương Ưng Ơn Ăn Ấn").folded == "DUONG UNG ON AN AN"


def test_single_word_name_has_only_a_given_name():
    name = parse("Lan")
    assert (name.family, name.middle, name.given) == ("", (), "LAN")


def test_two_word_name_has_no_middle():
    name = parse("Trần Nam")
    assert (name.family, name.middle, name.given) == ("TRAN", (), "NAM")


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\u00a0"])
def test_blank_name_is_refused(blank):
    with pytest.raises(ValueError, match="name is empty"):
        parse(blank)


@pytest.mark.parametrize(
    ("typed", "display"),
    [("h'hen niê", "H'Hen Niê"), ("y-moan ênuôl", "Y-Moan Ênuôl"), ("josé smith", "José Smith"),
     ("Nguyễn Văn A.", "Nguyễn Văn A."), ("Müller", "Müller")],
)  # fmt: skip
def test_names_that_are_not_plain_syllables_survive(typed, display):
    assert parse(typed).display == display


# --- mojibake: VNI ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mojibake", "repaired"),
    [
        ("Nguyeãn Vaên", "Nguyễn Văn"),
        ("Nguyeãn Vaên Huøng", "Nguyễn Văn Hùng"),
        ("Traàn Thò Thu Höông", "Trần Thị Thu Hương"),
        ("ÑAËNG THÒ NGOÏC HUEÄ", "ĐẶNG THỊ NGỌC HUỆ"),
        ("Phaïm Quyønh Nhö", "Phạm Quỳnh Như"),
    ],
)
def test_vni_mojibake_is_repaired(mojibake, repaired):
    assert repair_mojibake(mojibake) == repaired
    assert parse(mojibake) == parse(repaired)


def _vni_encode(text: str) -> str:
    """The test's own VNI writer: base letter, then the mark byte the font draws over it."""
    letters = {v: k for k, v in legacy_encodings.VNI_LETTERS.items()}
    marks = {v: k for k, v in legacy_encodings.VNI_MARKS.items() if k.islower()}
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in letters:
            out.append(letters[char])
            continue
        base, *rest = unicodedata.normalize("NFD", char)
        if "\u031b" in rest:  # ơ / ư are letters of their own in VNI
            rest.remove("\u031b")
            base = letters[unicodedata.normalize("NFC", base + "\u031b")]
        quality = "".join(m for m in rest if m in "\u0302\u0306")
        tone = "".join(m for m in rest if m not in "\u0302\u0306")
        mark = marks[quality + tone] if rest else ""
        out.append(base + (mark.upper() if base.isupper() else mark))
    return "".join(out)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_vni_round_trip_of_real_names(name):
    mojibake = _vni_encode(name)
    assert mojibake != name
    assert parse(mojibake).exact == parse(name).exact
    assert parse(_vni_encode(name.upper())).exact == parse(name).exact


# --- mojibake: TCVN3 (ABC) -------------------------------------------------------------------

TCVN3_OF = {char: byte for byte, char in legacy_encodings.TCVN3_BYTES.items() if char.isalpha()}


def _shown_as_cp1252(raw: bytes) -> str:
    """What a Windows screen shows for `raw`; bytes cp1252 leaves undefined pass as Latin-1."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)


def _tcvn3_shown_as_cp1252(text: str) -> str:
    nfc = unicodedata.normalize("NFC", text)
    return _shown_as_cp1252(bytes(TCVN3_OF.get(char, ord(char)) for char in nfc))


def _all_vietnamese_letters() -> set[str]:
    """The 134 letters with a tone or vowel mark (and đ), from Unicode, not from the table."""
    letters = {"đ", "Đ"}
    qualities = {"a": "\u0302\u0306", "e": "\u0302", "o": "\u0302\u031b", "u": "\u031b"}
    for base in "aeiouy":
        for quality in ["", *qualities.get(base, "")]:
            for tone in ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]:
                if quality or tone:
                    letter = unicodedata.normalize("NFC", base + quality + tone)
                    letters |= {letter, letter.upper()}
    return letters


def test_tcvn3_table_covers_all_134_vietnamese_letters_once():
    letters = [char for char in legacy_encodings.TCVN3_BYTES.values() if char.isalpha()]
    assert len(letters) == len(set(letters)) == 134
    assert set(letters) == _all_vietnamese_letters()


@pytest.mark.parametrize("letter", sorted(_all_vietnamese_letters()))
def test_tcvn3_letter_round_trips(letter):
    assert legacy_encodings.decode_tcvn3(bytes([TCVN3_OF[letter]])) == letter


@pytest.mark.parametrize(
    ("letter", "byte"),
    [("ă", 0xA8), ("â", 0xA9), ("ê", 0xAA), ("ô", 0xAB), ("ơ", 0xAC), ("ư", 0xAD), ("đ", 0xAE),
     ("Đ", 0xA7), ("à", 0xB5), ("á", 0xB8), ("ễ", 0xD4), ("ò", 0xDF), ("ị", 0xDE), ("ỵ", 0xFE)],
)  # fmt: skip
def test_tcvn3_well_known_positions(letter, byte):
    assert TCVN3_OF[letter] == byte


def test_tcvn3_table_agrees_with_the_system_charmap_when_present():
    charmap = Path("/usr/share/i18n/charmaps/TCVN5712-1.gz")
    if not charmap.exists():
        pytest.skip("glibc TCVN5712-1 charmap not installed")
    listed = {}
    for line in gzip.open(charmap, "rt", encoding="latin-1"):
        found = re.match(r"<U([0-9A-F]{4})>\s+/x([0-9a-f]{2})\s", line)
        if found:
            listed[int(found[2], 16)] = chr(int(found[1], 16))
    table = legacy_encodings.TCVN3_BYTES
    assert {byte: listed[byte] for byte in table} == dict(table)
    assert {byte for byte, char in listed.items() if char != chr(byte)} <= set(table)


@pytest.mark.parametrize(
    ("mojibake", "repaired"),
    [
        ("NguyÔn V¨n", "Nguyễn Văn"),
        ("NguyÔn V¨n Hïng", "Nguyễn Văn Hùng"),
        ("§Æng ThÞ Ngäc HuÖ", "Đặng Thị Ngọc Huệ"),
        ("TrÇn Thu H­¬ng", "Trần Thu Hương"),
    ],
)
def test_tcvn3_mojibake_is_repaired(mojibake, repaired):
    assert repair_mojibake(mojibake) == repaired


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_tcvn3_round_trip_of_real_names(name):
    mojibake = _tcvn3_shown_as_cp1252(name)
    assert mojibake != name
    assert parse(mojibake).exact == parse(name).exact


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_tcvn3_round_trip_of_upper_case_names(name):
    """Upper-case toned letters sit in the VN1 positions (some in 0x80-0x9F or the C0 range)."""
    assert parse(_tcvn3_shown_as_cp1252(name.upper())).exact == parse(name).exact


# --- mojibake: UTF-8 and genuine names -------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_utf8_read_as_cp1252_is_repaired(name):
    mojibake = _shown_as_cp1252(name.encode())
    assert repair_mojibake(mojibake) == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize(
    "genuine",
    [
        *SAMPLE_NAMES,
        "Nguyen Van An",
        "NGUYEN THI LAN",
        "Lê Thành Tâm",
        "Tô Ánh",
        "Hà Anh",
        "HÀ ANH",
        "Lê Hoà",
        "Lý Mỹ",
        "José Smith",
        "Müller",
        "H'Hen Niê",
        unicodedata.normalize("NFD", "Nguyễn Thị Hòa"),
        "  Nguyễn  Văn An ",
    ],
)
def test_genuine_names_are_not_touched(genuine):
    assert repair_mojibake(genuine) == genuine


@pytest.mark.parametrize(
    ("mojibake", "repaired"),
    [
        ("Hoà Anh", "Hồ Anh"),  # VNI; "Hoà" is a word but no surname, "Hồ" is one
        ("HOÀ ANH", "HỒ ANH"),
        ("Mai Thò Hoa", "Mai Thị Hoa"),  # VNI; "thò" is a word, "Thị" the commonest middle name
        ("Mai Höng", "Mai Hưng"),  # VNI "Hưng", not TCVN3 "Hửng"
        ("Phan Theá Loan", "Phan Thế Loan"),  # VNI "Thế", not TCVN3 "Theỏ"
    ],
)
def test_ambiguous_readings_are_settled_by_common_names(mojibake, repaired):
    assert repair_mojibake(mojibake) == repaired


def test_plausible_mojibake_is_left_alone():
    """TCVN3 "Giỏi" shows as the real syllable "Giái": nothing tells them apart, so the text
    stays as typed rather than risk rewriting a genuine name."""
    assert repair_mojibake("Lý Giái") == "Lý Giái"


# --- compare ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("NGUYỄN THỊ LAN", "nguyễn thị lan", names.EXACT),
        ("Nguyễn Thị Hoà", "Nguyễn Thị Hòa", names.EXACT),
        ("Nguyeãn Vaên Huøng", "Nguyễn Văn Hùng", names.EXACT),
        ("Nguyen Thi Lan", "Nguyễn Thị Lan", names.TONE_ONLY),
        ("Nguyễn Văn Hùng", "Nguyễn Văn Hưng", names.TONE_ONLY),
        ("Dang Thi Hoa", "Đặng Thị Hòa", names.TONE_ONLY),
        ("Nguyễn Lan", "Nguyễn Thị Lan", names.MIDDLE_VARIANT),
        ("Trần Văn Nam", "Trần Nam", names.MIDDLE_VARIANT),
        ("Lê Thị Ngọc Anh", "Le Ngoc Anh", names.MIDDLE_VARIANT),
        ("Phạm Văn Đức", "Phạm Minh Đức", names.MIDDLE_VARIANT),
        ("Nguyễn Thị Lan", "Nguyễn Thu Lan", names.MIDDLE_VARIANT),  # not a typo: same ends
        ("Lan Nguyen Thi", "Nguyễn Thị Lan", names.REORDERED),
        ("Anh Le Ngoc", "Lê Ngọc Anh", names.REORDERED),
        ("Nguyen Van Hung", "Nguyen Van Hunh", names.TYPO),
        ("Nguyen Van Hung", "Nguyen Van Hugn", names.TYPO),
        ("Nguyễn Văn Hùng", "Nguyen Van Hungg", names.TYPO),
        ("Nguyen Thi Ngoc Anh", "Nguyen Thi NgocAnh", names.TYPO),
        ("Tran Thi Thu Huong", "Tran Thi Thu Huongg", names.TYPO),
        ("Nguyen Van Hung", "Nguyen Van Hunh", names.TYPO),  # one slip in one long word
        ("Nguyen Van Hung", "Nguyan Van Hunh", names.SIMILAR),  # two slips: not one typo
        ("Fimeri", "Fimeri Dale", names.SIMILAR),  # the given name left out
        ("Tran Van Dung", "Tran Van Duc", names.DIFFERENT),  # two slips, but two real names
        ("Pham Van Dung", "Pham Van Duc", names.DIFFERENT),  # short words: another name
        ("Nguyễn Văn Nam", "Trần Đức Nam", names.GIVEN_ONLY),
        ("Lan", "Nguyễn Thị Lan", names.GIVEN_ONLY),
        ("Nguyễn Văn An", "Trần Thị Bích", names.DIFFERENT),
        ("Lê Văn Tám", "Lê Văn Hùng", names.DIFFERENT),
        ("Nguyen Van Hung", "Nguyen Van Hoa", names.DIFFERENT),
        ("Nguyen Van Hung", "Nguyen Hung Van Thi", names.DIFFERENT),
    ],
)
def test_compare_levels_are_symmetric(a, b, level):
    assert names.compare(parse(a), parse(b)) == level
    assert names.compare(parse(b), parse(a)) == level


def test_levels_are_the_agreed_strings():
    assert (
        names.EXACT,
        names.TONE_ONLY,
        names.MIDDLE_VARIANT,
        names.REORDERED,
        names.TYPO,
        names.GIVEN_ONLY,
        names.DIFFERENT,
    ) == ("exact", "tone_only", "middle_variant", "reordered", "typo", "given_only", "different")


def test_name_is_frozen():
    with pytest.raises(AttributeError):
        parse("Nguyễn Văn An").given = "BINH"  # type: ignore[misc]


# --- surname_weight --------------------------------------------------------------------------


def test_common_surnames_carry_less_evidence():
    order = ["NGUYEN", "TRAN", "PHAM", "HOANG", "PHAN", "DANG", "DUONG", "KHUC"]
    weights = [surname_weight(family) for family in order]
    assert weights == sorted(weights)
    assert len(set(weights)) == len(weights)


@pytest.mark.parametrize(
    ("family", "low", "high"),
    [("NGUYEN", 0.0, 0.1), ("TRAN", 0.25, 0.4), ("LE", 0.25, 0.4), ("PHAM", 0.35, 0.5),
     ("HOANG", 0.45, 0.55), ("HUYNH", 0.45, 0.55), ("KHUC", 1.0, 1.0), ("LY", 1.0, 1.0)],
)  # fmt: skip
def test_surname_weight_values(family, low, high):
    assert low <= surname_weight(family) <= high


def test_surname_weight_accepts_display_spelling_and_empty():
    assert surname_weight("Nguyễn") == surname_weight("NGUYEN")
    assert surname_weight("") == 0.0
