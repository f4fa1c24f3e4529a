"""domain/validation.validate: each rule names its field and rule; CCCD mismatches only warn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_ingest_emr.domain.validation import validate

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CCCD_1990_MALE = "001090012345"
BHYT = "DN4010123456789"


def make_visit(
    *,
    identifiers: list[tuple[str, str]] | None = None,
    birth_date: str | None = "1990-05-01",
    sex: str = "male",
    admitted_at: datetime = NOW - timedelta(hours=2),
    discharged_at: datetime | None = NOW - timedelta(hours=1),
) -> Visit:
    ids = identifiers if identifiers is not None else [("cccd", CCCD_1990_MALE), ("bhyt", BHYT)]
    return Visit(
        facility_code="01001",
        visit_id="LK0001",
        sent_at=NOW,
        patient=Patient(
            name="Nguyễn Văn An",
            birth_date=birth_date,
            sex=sex,
            identifiers=[Identifier(type=t, value=v) for t, v in ids],
        ),
        admitted_at=admitted_at,
        discharged_at=discharged_at,
    )


def rules(problems) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in problems]


def test_a_consistent_visit_has_no_problems_and_no_warnings():
    assert validate(make_visit(), NOW) == ([], [])


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [
        ("cccd", "00109001234", "cccd_format"),  # 11 digits
        ("cccd", "0010900123456", "cccd_format"),  # 13 digits
        ("cccd", "00109001234A", "cccd_format"),
        ("bhyt", "DN6010123456789", "bhyt_format"),  # benefit level 6 does not exist
        ("bhyt", "dn4010123456789", "bhyt_format"),  # lower case group
        ("bhyt", "DN401012345678", "bhyt_format"),  # 9-digit BHXH number
        ("cmnd", "1234567890", "cmnd_format"),  # 10 digits: neither 9 nor 12
        ("passport", "B12", "passport_format"),
        ("passport", "B1234567-X", "passport_format"),
    ],
)
def test_malformed_identifier_is_a_problem_naming_field_rule_and_value(kind, value, rule):
    problems, _ = validate(make_visit(identifiers=[(kind, value)]), NOW)
    assert rules(problems) == [("patient.identifiers.0.value", rule)]
    assert problems[0].value == value
    assert value in problems[0].message


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("cccd", CCCD_1990_MALE),
        ("bhyt", BHYT),
        ("cmnd", "123456789"),
        ("cmnd", "123456789012"),
        ("passport", "B1234567"),
    ],
)
def test_well_formed_identifier_alone_is_enough(kind, value):
    problems, _ = validate(make_visit(identifiers=[(kind, value)]), NOW)
    assert problems == []


def test_problem_field_points_at_the_offending_identifier_index():
    problems, _ = validate(make_visit(identifiers=[("cccd", CCCD_1990_MALE), ("bhyt", "XX")]), NOW)
    assert rules(problems) == [("patient.identifiers.1.value", "bhyt_format")]


@pytest.mark.parametrize(
    "kinds",
    [[("eid", "VNEID-123")], [("temp", "TE1010000000001")], [("eid", "A1"), ("temp", "T1")]],
)
def test_only_unlinkable_identifiers_is_identifier_required(kinds):
    problems, _ = validate(make_visit(identifiers=kinds), NOW)
    assert rules(problems) == [("patient.identifiers", "identifier_required")]


def test_identifier_required_is_not_added_on_top_of_a_format_problem():
    problems, _ = validate(make_visit(identifiers=[("cccd", "123")]), NOW)
    assert [p.rule for p in problems] == ["cccd_format"]


@pytest.mark.parametrize(
    ("birth_date", "ok"),
    [
        ("1879-12-31", False),
        ("1880", True),
        ("1990-05", True),
        ("2026-11-20", True),
        ("2027-01-01", False),
    ],
)
def test_birth_year_must_be_between_1880_and_this_year(birth_date, ok):
    problems, _ = validate(make_visit(identifiers=[("bhyt", BHYT)], birth_date=birth_date), NOW)
    expected = [] if ok else [("patient.birth_date", "birth_date_range")]
    assert rules(problems) == expected
    if not ok:
        assert problems[0].value == birth_date


def test_admission_in_the_future_beyond_clock_skew_is_a_problem():
    late = NOW + timedelta(minutes=11)
    problems, _ = validate(make_visit(admitted_at=late, discharged_at=None), NOW)
    assert rules(problems) == [("admitted_at", "date_in_future")]
    assert problems[0].value == late.isoformat()


def test_admission_within_clock_skew_is_tolerated():
    problems, _ = validate(
        make_visit(admitted_at=NOW + timedelta(minutes=9), discharged_at=None), NOW
    )
    assert problems == []


def test_discharge_in_the_future_is_a_problem():
    problems, _ = validate(make_visit(discharged_at=NOW + timedelta(hours=1)), NOW)
    assert rules(problems) == [("discharged_at", "date_in_future")]


def test_discharge_before_admission_is_a_problem():
    problems, _ = validate(
        make_visit(admitted_at=NOW - timedelta(hours=1), discharged_at=NOW - timedelta(hours=2)),
        NOW,
    )
    assert rules(problems) == [("discharged_at", "discharge_before_admission")]


def test_instants_are_compared_across_offsets():
    # 09:00+07:00 is 02:00Z, one hour before NOW: not in the future.
    vn = datetime.fromisoformat("2026-11-20T09:00:00+07:00")
    problems, _ = validate(make_visit(admitted_at=vn, discharged_at=None), NOW)
    assert problems == []


@pytest.mark.parametrize(
    ("cccd", "birth_date", "sex", "warned"),
    [
        ("001190012345", "1990-05-01", "male", ["cccd_sex_mismatch"]),
        ("001090012345", "1990-05-01", "female", ["cccd_sex_mismatch"]),
        ("001091012345", "1990-05-01", "male", ["cccd_birth_year_mismatch"]),
        ("001205012345", "1905", "male", ["cccd_century_mismatch"]),
        ("001305012345", "2005-01-01", "female", []),
        ("001190012345", "1990", "unknown", []),
        ("001190012345", None, "male", []),
    ],
)
def test_cccd_birth_year_and_sex_mismatch_warns_and_does_not_reject(cccd, birth_date, sex, warned):
    problems, warnings = validate(
        make_visit(identifiers=[("cccd", cccd)], birth_date=birth_date, sex=sex), NOW
    )
    assert problems == []
    assert [w.rule for w in warnings] == warned
    assert all(w.field == "patient.identifiers" and cccd in w.message for w in warnings)


def test_several_problems_are_reported_together():
    problems, _ = validate(
        make_visit(
            identifiers=[("cccd", "1")],
            birth_date="1700",
            admitted_at=NOW + timedelta(days=1),
            discharged_at=NOW,
        ),
        NOW,
    )
    assert sorted(rules(problems)) == sorted(
        [
            ("patient.identifiers.0.value", "cccd_format"),
            ("patient.birth_date", "birth_date_range"),
            ("admitted_at", "date_in_future"),
            ("discharged_at", "discharge_before_admission"),
        ]
    )
