"""hssk_contracts.identifiers and bhyt_groups: the identifier rules of docs/domain.md, Identifiers.

All values are synthetic: random blocks like 000123 and BHXH numbers like 0000012345.
"""

from __future__ import annotations

from datetime import date

import pytest

from hssk_contracts import identifiers as ids
from hssk_contracts.bhyt_groups import GROUP_LEVELS, GROUPS_WITHOUT_LEVEL_2026, levels_on
from hssk_contracts.identifiers import IdentifierRecord


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


# --- personal ID: century + sex digit, year digits, province -------------------------------


@pytest.mark.parametrize(
    ("value", "year", "sex"),
    [
        ("079085000123", 1985, "male"),  # 1900s male: 0
        ("079185000123", 1985, "female"),  # 1900s female: 1
        ("001099000123", 1999, "male"),
        ("001207000123", 2007, "male"),  # 2000s male: 2
        ("001307000123", 2007, "female"),  # 2000s female: 3
        ("048200000123", 2000, "male"),  # 2000 is a 2000s year
        ("048100000123", 1900, "female"),
    ],
)
def test_digit_four_and_year_digits_fit_the_person(value, year, sex):
    assert ids.cccd_consistency(value, year, sex) == []


@pytest.mark.parametrize(
    ("value", "year", "sex", "expected"),
    [
        ("079085000123", 2085, "male", ["cccd_century_mismatch"]),  # a 1900s digit, 2000s birth
        ("079285000123", 1985, "male", ["cccd_century_mismatch"]),  # a 2000s digit, 1900s birth
        ("079185000123", 1985, "male", ["cccd_sex_mismatch"]),  # odd digit: female
        ("079207000123", 2007, "female", ["cccd_sex_mismatch"]),  # even digit: male
        ("079086000123", 1985, "male", ["cccd_birth_year_mismatch"]),
        ("079306000123", 2007, "female", ["cccd_birth_year_mismatch"]),
    ],
)
def test_each_mismatch_is_a_finding_not_an_exception(value, year, sex, expected):
    findings = ids.cccd_consistency(value, year, sex)
    assert rules(findings) == expected
    # A warning only: the number itself is still a well-formed personal ID.
    assert ids.format_problem("cccd", value) is None
    assert ids.match_keys([("cccd", value)]) == [f"cccd:{value}"]


def test_provinces_are_the_63_pre_2025_codes():
    assert len(ids.PROVINCES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in ids.PROVINCES)
    assert ids.PROVINCES["001"] == "Hà Nội"
    assert ids.PROVINCES["048"] == "Đà Nẵng"
    assert ids.PROVINCES["079"] == "TP HCM"
    assert ids.PROVINCES["096"] == "Cà Mau"
    assert "003" not in ids.PROVINCES and "097" not in ids.PROVINCES


@pytest.mark.parametrize("value", ["001090000123", "079305000123", "096199000123"])
def test_known_province_gives_no_warning(value):
    assert ids.cccd_province_warning(value) is None


@pytest.mark.parametrize("value", ["003090000123", "704190000123", "999205000123"])
def test_unknown_province_is_a_warning_not_a_rejection(value):
    finding = ids.cccd_province_warning(value)
    assert finding is not None
    assert finding.rule == "cccd_unknown_province"
    assert value[:3] in finding.message
    assert ids.cccd_format(value) is None


def test_province_warning_leaves_malformed_ids_to_the_format_rule():
    assert ids.cccd_province_warning("70419000012") is None


# --- BHYT card: benefit level against object group, dated ---------------------------------


@pytest.mark.parametrize(
    "card",
    [
        "TE1790000012345",  # level 1
        "CC1010000012345",
        "HN2480000012345",  # level 2
        "DT2010000012345",
        "HT3790000012345",  # level 3
        "CN3790000012345",  # near-poor, before 2026
        "DN4010000012345",  # level 4
        "GD4790000012345",
        "QN5970000012345",  # level 5
        "CA5980000012345",
    ],
)
def test_benefit_level_fits_the_group_in_2025(card):
    assert ids.bhyt_level_consistency(card, date(2025, 6, 1)) is None


@pytest.mark.parametrize(
    ("card", "expected_level"),
    [
        ("TE4790000012345", 1),
        ("HN3480000012345", 2),
        ("HT4790000012345", 3),
        ("DN3010000012345", 4),
        ("QN4970000012345", 5),
    ],
)
def test_benefit_level_that_does_not_fit_the_group_is_a_warning(card, expected_level):
    finding = ids.bhyt_level_consistency(card, date(2025, 6, 1))
    assert finding is not None
    assert finding.rule == "bhyt_level_mismatch"
    assert f"level {expected_level}" in finding.message
    assert ids.bhyt_format(card) is None
    assert ids.match_keys([("bhyt", card)]) == ["bhxh:0000012345"]


@pytest.mark.parametrize(
    ("on", "fits", "misfits"),
    [
        (date(2025, 12, 31), "CN3790000012345", "CN2790000012345"),
        (date(2026, 1, 1), "CN2790000012345", "CN3790000012345"),
        (date(2026, 7, 1), "CN2790000012345", "CN3790000012345"),
        (None, "CN2790000012345", "CN3790000012345"),  # no date: the newest table
    ],
)
def test_near_poor_move_to_level_two_from_2026(on, fits, misfits):
    assert ids.bhyt_level_consistency(fits, on) is None
    finding = ids.bhyt_level_consistency(misfits, on)
    assert finding is not None and finding.rule == "bhyt_level_mismatch"


def test_lh_is_level_two_from_2026_and_unknown_before():
    assert ids.bhyt_level_consistency("LH2790000012345", date(2026, 1, 1)) is None
    before = ids.bhyt_level_consistency("LH2790000012345", date(2025, 12, 31))
    assert before is not None and before.rule == "bhyt_unknown_group"


@pytest.mark.parametrize("group", GROUPS_WITHOUT_LEVEL_2026)
def test_new_2026_groups_without_a_known_level_are_unknown(group):
    finding = ids.bhyt_level_consistency(f"{group}4790000012345", date(2026, 3, 1))
    assert finding is not None
    assert finding.rule == "bhyt_unknown_group"
    assert group in finding.message


def test_unknown_group_is_a_warning_not_a_rejection():
    finding = ids.bhyt_level_consistency("ZZ4790000012345")
    assert finding is not None and finding.rule == "bhyt_unknown_group"
    assert ids.format_problem("bhyt", "ZZ4790000012345") is None


def test_level_check_leaves_malformed_cards_to_the_format_rule():
    assert ids.bhyt_level_consistency("DN401000001234") is None
    assert ids.bhyt_level_consistency("dn4010000012345") is None


def test_group_tables_are_dated_and_complete():
    assert sorted(GROUP_LEVELS) == [date(2015, 1, 1), date(2026, 1, 1)]
    base, new = GROUP_LEVELS[date(2015, 1, 1)], GROUP_LEVELS[date(2026, 1, 1)]
    assert {g: lvl for g, lvl in new.items() if base.get(g) != lvl} == {"CN": 2, "LH": 2}
    assert sorted(set(base.values())) == [1, 2, 3, 4, 5]
    assert levels_on(date(2010, 1, 1)) is base  # before the first table: the oldest rule
    assert levels_on(date(2026, 1, 1)) is new


# --- several cards in one XML1 field ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("DN4010000012345", ["DN4010000012345"]),
        ("DN4010000012345;HT3010000012345", ["DN4010000012345", "HT3010000012345"]),
        (" HT3010000012345 ; DN4010000012345 ", ["HT3010000012345", "DN4010000012345"]),
        ("DN4010000012345;;DN4010000012345;", ["DN4010000012345"]),
        ("HT3010000012345;DN4010000012345;HT3010000012345", ["HT3010000012345", "DN4010000012345"]),
        ("", []),
        (" ; ", []),
    ],
)
def test_split_cards(field, expected):
    assert ids.split_cards(field) == expected


# --- temporary newborn codes --------------------------------------------------------------


@pytest.mark.parametrize("ma_dkbd", ["01000", "79000", "48000"])
def test_temporary_registration_is_province_plus_000(ma_dkbd):
    assert ids.is_temporary_registration(ma_dkbd)


@pytest.mark.parametrize("ma_dkbd", ["01001", "79024", "0100", "010000", "AB000", ""])
def test_real_registrations_are_not_temporary(ma_dkbd):
    assert not ids.is_temporary_registration(ma_dkbd)


def test_temporary_code_is_fifteen_letters_or_digits():
    assert ids.is_temporary_card("TE1010000012345")
    assert not ids.is_temporary_card("TE101000001234")
    assert not ids.is_temporary_card("TE10100000123456")
    assert not ids.is_temporary_card("TE1-01-00000123")


def test_card_code_is_temporary_only_with_a_temporary_registration():
    assert ids.is_temporary_card("TE1010000012345", ma_dkbd="01000")
    assert not ids.is_temporary_card("TE1010000012345", ma_dkbd="01001")


def test_temporary_codes_give_no_bhxh_key():
    assert ids.match_keys([("temp", "TE1010000012345")]) == []
    keys = ids.match_keys([("temp", "TE1010000012345"), ("bhyt", "DN4010000067890")])
    assert keys == ["bhxh:0000067890"]


# --- SO_CCCD: which document is it --------------------------------------------------------


@pytest.mark.parametrize(
    ("so_cccd", "kind"),
    [
        ("079085000123", "cccd"),
        ("079 085 000 123", "cccd"),
        ("123456789", "cmnd"),
        ("B1234567", "passport"),
        ("C12345678", "passport"),
        ("c1234567", "passport"),
        ("AB1234567", "passport"),
        ("VNEID0001234", "eid"),
        ("B123456", "eid"),  # 7 characters: too short for a passport
        ("12345678", "eid"),
        ("1234567890", "eid"),
        ("1234567890123", "eid"),
    ],
)
def test_infer_document_type(so_cccd, kind):
    assert ids.infer_document_type(so_cccd) == kind


@pytest.mark.parametrize("so_cccd", ["", "   ", "079/085", "NGƯỜI123"])
def test_infer_document_type_refuses_empty_or_non_alphanumeric(so_cccd):
    with pytest.raises(ValueError):
        ids.infer_document_type(so_cccd)


# --- identifier history -------------------------------------------------------------------

OLD = IdentifierRecord(
    "cccd", "079085000123", "cancelled", date(2021, 3, 1), date(2024, 9, 2), "sex change"
)
NEW = IdentifierRecord("cccd", "079185000456", "active", date(2024, 9, 2), None, None)


def test_cancelled_id_coexists_with_its_replacement():
    assert ids.active_conflicts([OLD, NEW]) == []
    assert ids.active_conflicts([OLD, OLD, NEW]) == []


def test_same_identifier_active_twice_conflicts_once():
    cmnd = IdentifierRecord("cmnd", "123456789", "active")
    keys = ids.active_conflicts([NEW, cmnd, NEW, cmnd, NEW])
    assert keys == ["cccd:079185000456", "cmnd:123456789"]


def test_conflicts_compare_normalised_values_within_a_kind():
    spaced = IdentifierRecord("cccd", "079 185 000 456", "active")
    assert ids.active_conflicts([NEW, spaced]) == ["cccd:079185000456"]
    as_cmnd = IdentifierRecord("cmnd", "079185000456", "active")
    assert ids.active_conflicts([NEW, as_cmnd]) == []


def test_identifier_records_are_frozen_values():
    assert NEW == IdentifierRecord("cccd", "079185000456", "active", date(2024, 9, 2))
    with pytest.raises(AttributeError):
        NEW.status = "cancelled"  # type: ignore[misc]


# --- normalise ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("cccd", "079 052 001 234", "079052001234"),
        ("cccd", "079-052-001-234", "079052001234"),
        ("bhyt", "dn4 01 0123456789", "DN4010123456789"),
        ("bhyt", " DN4-01-0123456789\t", "DN4010123456789"),
        ("passport", "b 1234567", "B1234567"),
        ("temp", "te1 01 0000012345", "TE1010000012345"),
        ("eid", " vneid-123 ", "VNEID-123"),  # account codes: trimmed, not compacted
    ],
)
def test_normalise(kind, value, expected):
    assert ids.normalise(kind, value) == expected
