"""hssk_contracts.identifiers: the identifier rules identity matches on (docs/domain.md,
Identifiers)."""

from __future__ import annotations

import pytest

from hssk_contracts import identifiers as ids


@pytest.mark.parametrize("value", ["001090012345", "079305999999"])
def test_cccd_format_accepts_twelve_digits(value):
    assert ids.cccd_format(value) is None


@pytest.mark.parametrize(
    "value", ["00109001234", "0010900123456", "00109001234X", "", "001 90012345"]
)
def test_cccd_format_rejects_anything_else(value):
    finding = ids.cccd_format(value)
    assert finding is not None
    assert finding.rule == "cccd_format"
    assert repr(value) in finding.message


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


@pytest.mark.parametrize(
    ("value", "year", "sex"),
    [
        ("001090012345", 1990, "male"),
        ("001190012345", 1990, "female"),
        ("001205012345", 2005, "male"),
        ("001305012345", 2005, "female"),
        ("001400012345", 2100, "male"),
        ("001599012345", 2199, "female"),
        ("001000012345", 1900, "male"),
    ],
)
def test_cccd_consistent_with_century_sex_and_year(value, year, sex):
    assert ids.cccd_consistency(value, year, sex) == []


def test_century_digit_for_the_wrong_century():
    assert rules(ids.cccd_consistency("001090012345", 2090, "male")) == ["cccd_century_mismatch"]


def test_sex_digit_for_the_other_sex():
    assert rules(ids.cccd_consistency("001090012345", 1990, "female")) == ["cccd_sex_mismatch"]
    assert rules(ids.cccd_consistency("001390012345", 2090, "male")) == ["cccd_sex_mismatch"]


def test_year_digits_for_another_year():
    findings = ids.cccd_consistency("001091012345", 1990, "male")
    assert rules(findings) == ["cccd_birth_year_mismatch"]
    assert "91" in findings[0].message and "1990" in findings[0].message


def test_every_mismatch_is_reported():
    assert rules(ids.cccd_consistency("001291012345", 1990, "female")) == [
        "cccd_century_mismatch",
        "cccd_sex_mismatch",
        "cccd_birth_year_mismatch",
    ]


@pytest.mark.parametrize(
    ("value", "year", "sex"),
    [
        ("001090012345", None, "female"),  # unknown birth year: nothing to compare
        ("00109001234", 1991, "female"),  # malformed: cccd_format reports it, not this
        ("001190012345", 1990, "unknown"),  # sex unknown: no sex check
    ],
)
def test_no_consistency_findings_without_something_to_compare(value, year, sex):
    assert ids.cccd_consistency(value, year, sex) == []


@pytest.mark.parametrize("value", ["DN4010123456789", "TE1790000000001", "QN5480123456789"])
def test_bhyt_format_accepts_group_level_province_and_ten_digits(value):
    assert ids.bhyt_format(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "DN0010123456789",  # level 0
        "DN6010123456789",  # level 6
        "dn4010123456789",  # lower case group
        "D14010123456789",  # digit in group
        "DN401012345678",  # 14 characters
        "DN40101234567890",  # 16 characters
    ],
)
def test_bhyt_format_rejects_malformed_cards(value):
    finding = ids.bhyt_format(value)
    assert finding is not None and finding.rule == "bhyt_format"


def test_social_insurance_number_is_the_last_ten_digits():
    assert ids.social_insurance_number("DN4010123456789") == "0123456789"
    assert ids.social_insurance_number("HT3790123456789") == "0123456789"


def test_match_keys_follow_cccd_bhxh_cmnd_passport_order():
    keys = ids.match_keys(
        [
            ("passport", "B1234567"),
            ("cmnd", "123456789"),
            ("bhyt", "DN4010123456789"),
            ("cccd", "001090012345"),
        ]
    )
    assert keys == ["cccd:001090012345", "bhxh:0123456789", "cmnd:123456789", "passport:B1234567"]


def test_match_keys_deduplicate_cards_with_the_same_bhxh_number():
    keys = ids.match_keys(
        [
            ("bhyt", "DN4010123456789"),
            ("bhyt", "HT3790123456789"),
            ("cccd", "001090012345"),
            ("cccd", "001090012345"),
        ]
    )
    assert keys == ["cccd:001090012345", "bhxh:0123456789"]


def test_match_keys_skip_malformed_and_unlinkable_identifiers():
    keys = ids.match_keys(
        [
            ("cccd", "123"),
            ("bhyt", "XX"),
            ("eid", "VNEID1"),
            ("temp", "T0001"),
            ("cmnd", "1234567890"),
            ("cmnd", "987654321"),
        ]
    )
    assert keys == ["cmnd:987654321"]


def test_match_keys_of_nothing_usable_is_empty():
    assert ids.match_keys([("eid", "VNEID1")]) == []
