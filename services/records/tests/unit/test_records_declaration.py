"""domain/declaration: what a citizen may declare, refused with 422-style problems (field, rule,
value, a Vietnamese message naming the field, the range and the unit, an English one beside
it), nothing returned when anything is wrong, and a valid declaration becoming self-declared
(or clinician-confirmed) facts placed where the record keeps them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hssk_records.domain.declaration import facts_of, parse
from hssk_records.domain.facts import Source

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def refused(body: object) -> list[dict[str, str]]:
    declaration, problems = parse(body)
    assert declaration is None
    assert problems
    return problems


def test_a_height_of_700_is_refused_naming_the_range_and_unit_in_vietnamese_and_english():
    assert refused({"height_cm": 700}) == [
        {
            "field": "height_cm",
            "rule": "less_than_equal",
            "value": "700",
            "message": "Chiều cao: phải từ 30 đến 250 cm",
            "message_en": "Height: must be between 30 and 250 cm",
        }
    ]


@pytest.mark.parametrize(
    ("body", "field", "message", "message_en"),
    [
        (
            {"height_cm": 12},
            "height_cm",
            "Chiều cao: phải từ 30 đến 250 cm",
            "Height: must be between 30 and 250 cm",
        ),
        (
            {"weight_kg": 0.5},
            "weight_kg",
            "Cân nặng: phải từ 1 đến 300 kg",
            "Weight: must be between 1 and 300 kg",
        ),
        (
            {"blood_pressure": {"systolic": 300, "diastolic": 80}},
            "blood_pressure.systolic",
            "Huyết áp tâm thu: phải từ 60 đến 260 mmHg",
            "Systolic pressure: must be between 60 and 260 mmHg",
        ),
        (
            {"reproductive": {"pregnancies": 31}},
            "reproductive.pregnancies",
            "Sức khỏe sinh sản: phải không quá 30",
            "Reproductive history: must be at most 30",
        ),
    ],
)
def test_every_bound_crossed_is_said_with_its_range(body, field, message, message_en):
    [problem] = refused(body)
    assert (problem["field"], problem["message"], problem["message_en"]) == (
        field,
        message,
        message_en,
    )


def test_a_field_a_citizen_cannot_declare_is_named_and_refused():
    [problem] = refused({"name": "Nguyễn Văn An", "height_cm": 165})

    assert problem == {
        "field": "name",
        "rule": "extra_forbidden",
        "value": "Nguyễn Văn An",
        "message": "name: không phải là mục có thể tự khai",
        "message_en": "name: is not a field you can declare",
    }


def test_wrong_types_formats_and_values_each_say_why():
    problems = refused(
        {"height_cm": "cao", "phone": "12", "blood_group": "C+", "drug_allergies": []}
    )

    assert {p["field"]: (p["rule"], p["message"], p["message_en"]) for p in problems} == {
        "height_cm": ("float_parsing", "Chiều cao: phải là một số", "Height: must be a number"),
        "phone": (
            "string_pattern_mismatch",
            "Số điện thoại: không đúng định dạng",
            "Phone: has the wrong format",
        ),
        "blood_group": (
            "literal_error",
            "Nhóm máu: không nằm trong danh sách cho phép",
            "Blood group: is not one of the allowed values",
        ),
        "drug_allergies": (
            "model_type",
            "Dị ứng thuốc: phải là một nhóm thông tin",
            "Drug allergies: must be an object",
        ),
    }
    assert next(p for p in problems if p["field"] == "drug_allergies")["value"] is None


def test_a_problem_inside_a_list_item_is_named_by_its_list():
    items = [{"substance": "Penicillin"}, {"substance": ""}]
    [problem] = refused({"drug_allergies": {"items": items}})

    assert problem["field"] == "drug_allergies.items.1.substance"
    assert problem["message"] == "Dị ứng thuốc: không được để trống"
    assert problem["message_en"] == "Drug allergies: must not be empty"


def test_an_implausible_bmi_is_refused_even_though_each_value_is_in_range():
    [problem] = refused({"height_cm": 100, "weight_kg": 200})

    assert problem["field"] == "weight_kg"
    assert problem["rule"] == "bmi_implausible"
    assert problem["value"] == "200"
    assert "BMI 200" in problem["message"] and "cm và kg" in problem["message"]
    assert "BMI 200" in problem["message_en"] and "cm and kg" in problem["message_en"]
    [thin] = refused({"height_cm": 250, "weight_kg": 40})
    assert (thin["rule"], thin["value"]) == ("bmi_implausible", "6")


def test_nothing_is_returned_when_any_field_is_wrong():
    declaration, problems = parse({"blood_group": "O+", "phone": "0912345678", "height_cm": 700})

    assert declaration is None
    assert [p["field"] for p in problems] == ["height_cm"]


def test_a_plausible_declaration_is_returned_with_no_problem():
    declaration, problems = parse({"height_cm": 165, "weight_kg": 60, "phone": " 0912345678 "})

    assert problems == []
    assert declaration is not None
    assert (declaration.height_cm, declaration.weight_kg) == (165, 60)
    assert declaration.phone == "0912345678"


def test_facts_of_places_each_sent_field_where_the_record_keeps_it():
    declaration, _ = parse(
        {
            "height_cm": 165,
            "blood_pressure": {"systolic": 120, "diastolic": 80},
            "phone": "0912345678",
            "blood_group": "O+",
            "drug_allergies": {"none_known": True},
            "risk_factors": {"smoking": "never"},
            "weight_kg": None,  # a null changes nothing
        }
    )
    facts = facts_of(declaration, NOW)

    assert {place: f.value for place, f in facts.items()} == {
        ("vitals", "height_cm"): 165,
        ("vitals", "blood_pressure"): {"systolic": 120, "diastolic": 80},
        ("admin", "phone"): "0912345678",
        ("health", "blood_group"): "O+",
        ("health", "drug_allergies"): {"none_known": True, "items": []},
        ("health", "risk_factors"): {
            "smoking": "never",
            "alcohol_cups_per_day": None,
            "physical_activity": None,
        },
    }
    assert {f.source for f in facts.values()} == {
        Source(kind="self_declared", by="citizen", at=NOW)
    }
    assert list(facts) == sorted(facts, key=lambda place: place[1])


def test_facts_of_a_clinicians_confirmation_carry_the_clinician():
    declaration, _ = parse({"drug_allergies": {"items": [{"substance": "Aspirin"}]}})
    [(place, fact)] = facts_of(declaration, NOW, kind="clinician_confirmed", by="bs-0042").items()

    assert place == ("health", "drug_allergies")
    assert fact.value == {
        "none_known": False,
        "items": [{"kind": "drug", "substance": "Aspirin", "reaction": None}],
    }
    assert fact.source == Source(kind="clinician_confirmed", by="bs-0042", at=NOW)


def test_an_empty_declaration_declares_nothing():
    declaration, problems = parse({})
    assert problems == []
    assert facts_of(declaration, NOW) == {}
