"""What a citizen may declare about their own health from a phone, checked with ranges and units,
and every refusal said in Vietnamese (English beside it) naming the field and the rule. A valid
declaration becomes self-declared facts; an invalid one changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationError

from hssk_records.domain.facts import Fact, Kind, Source
from hssk_records.domain.health import (
    Allergy,
    BloodGroup,
    BloodPressure,
    Condition,
    DisabilityKind,
    FamilyCondition,
    Listed,
    Representative,
    Reproductive,
    RiskFactors,
    Surgery,
    Vaccination,
    Value,
)

# Where each declared field lives in the record: (part, slot).
PLACES: dict[str, tuple[str, str]] = {
    "height_cm": ("vitals", "height_cm"),
    "weight_kg": ("vitals", "weight_kg"),
    "blood_pressure": ("vitals", "blood_pressure"),
    "phone": ("admin", "phone"),
    **{
        k: ("health", k)
        for k in (
            "blood_group",
            "drug_allergies",
            "other_allergies",
            "chronic_conditions",
            "surgeries",
            "disabilities",
            "family_history",
            "vaccinations",
            "risk_factors",
            "reproductive",
            "representative",
        )
    },
}
LABELS: dict[str, tuple[str, str]] = {
    "height_cm": ("Chiều cao", "Height"),
    "weight_kg": ("Cân nặng", "Weight"),
    "blood_pressure": ("Huyết áp", "Blood pressure"),
    "systolic": ("Huyết áp tâm thu", "Systolic pressure"),
    "diastolic": ("Huyết áp tâm trương", "Diastolic pressure"),
    "blood_group": ("Nhóm máu", "Blood group"),
    "drug_allergies": ("Dị ứng thuốc", "Drug allergies"),
    "other_allergies": ("Dị ứng khác", "Other allergies"),
    "chronic_conditions": ("Bệnh mạn tính", "Chronic conditions"),
    "surgeries": ("Phẫu thuật", "Surgeries"),
    "disabilities": ("Khuyết tật", "Disabilities"),
    "family_history": ("Tiền sử gia đình", "Family history"),
    "vaccinations": ("Tiêm chủng", "Vaccinations"),
    "risk_factors": ("Yếu tố nguy cơ", "Risk factors"),
    "reproductive": ("Sức khỏe sinh sản", "Reproductive history"),
    "representative": ("Người đại diện", "Representative"),
    "phone": ("Số điện thoại", "Phone"),
}


class Declaration(Value):
    """A PATCH: only the fields sent change. Units are in the names."""

    height_cm: Annotated[float, Field(ge=30, le=250)] | None = None
    weight_kg: Annotated[float, Field(ge=1, le=300)] | None = None
    blood_pressure: BloodPressure | None = None
    blood_group: BloodGroup | None = None
    drug_allergies: Listed[Allergy] | None = None
    other_allergies: Listed[Allergy] | None = None
    chronic_conditions: Listed[Condition] | None = None
    surgeries: Listed[Surgery] | None = None
    disabilities: Listed[DisabilityKind] | None = None
    family_history: Listed[FamilyCondition] | None = None
    vaccinations: Listed[Vaccination] | None = None
    risk_factors: RiskFactors | None = None
    reproductive: Reproductive | None = None
    representative: Representative | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9]{8,15}$")] | None = None


def parse(body: Any) -> tuple[Declaration | None, list[dict[str, str]]]:
    """(the declaration, []) or (None, problems with field, rule, message, message_en)."""
    try:
        declaration = Declaration.model_validate(body)
    except ValidationError as exc:
        return None, [_problem(e) for e in exc.errors(include_url=False)]
    problems = _implausible(declaration)
    return (None, problems) if problems else (declaration, [])


def facts_of(
    declaration: Declaration, at: datetime, *, kind: Kind = "self_declared", by: str = "citizen"
) -> dict[tuple[str, str], Fact]:
    """The facts declared (or, by a clinician, confirmed), by (part, slot) of the record."""
    source = Source(kind=kind, by=by, at=at)
    whole = declaration.model_dump(mode="json")  # nested values whole: defaults included
    sent = [name for name in declaration.model_fields_set if whole[name] is not None]
    return {PLACES[name]: Fact(value=whole[name], source=source) for name in sorted(sent)}


def _implausible(d: Declaration) -> list[dict[str, str]]:
    empty = [
        name
        for name in d.model_fields_set
        if isinstance(value := getattr(d, name), Listed)
        and not value.none_known
        and not value.items
    ]
    if empty:
        return [
            {
                "field": name,
                "rule": "empty_answer",
                "message": f"{LABELS[name][0]}: hãy chọn “không có” hoặc thêm ít nhất một mục.",
                "message_en": f"{LABELS[name][1]}: say none known, or add at least one item",
            }
            for name in sorted(empty)
        ]
    if d.height_cm and d.weight_kg:
        bmi = d.weight_kg / (d.height_cm / 100) ** 2
        if not 10 <= bmi <= 80:
            return [
                {
                    "field": "weight_kg",
                    "rule": "bmi_implausible",
                    "value": f"{bmi:.0f}",
                    "message": "Chiều cao và cân nặng không khớp nhau (chỉ số BMI "
                    f"{bmi:.0f}); vui lòng kiểm tra lại đơn vị cm và kg.",
                    "message_en": f"height and weight do not fit together (BMI {bmi:.0f}); "
                    "check the units, cm and kg.",
                }
            ]
    return []


def _problem(err: Any) -> dict[str, str]:
    loc = [str(p) for p in err["loc"] if not str(p).isdigit() and p != "items"]
    field = ".".join(str(p) for p in err["loc"]) or "$"
    vi, en = LABELS.get(loc[-1] if loc else "", LABELS.get(loc[0] if loc else "", (field, field)))
    why_vi, why_en = _why(err)
    value = err.get("input")
    return {
        "field": field,
        "rule": err["type"],
        "message": f"{vi}: {why_vi}",
        "message_en": f"{en}: {why_en}",
        "value": None if isinstance(value, dict | list) else str(value)[:100],
    }


RANGES = {  # said whole, with the unit, whichever bound was crossed
    "height_cm": (30, 250, "cm"),
    "weight_kg": (1, 300, "kg"),
    "systolic": (60, 260, "mmHg"),
    "diastolic": (30, 160, "mmHg"),
}


def _why(err: Any) -> tuple[str, str]:
    ctx, kind = err.get("ctx") or {}, err["type"]
    name = str(err["loc"][-1]) if err["loc"] else ""
    if kind in ("greater_than_equal", "less_than_equal") and name in RANGES:
        low, high, unit = RANGES[name]
        return f"phải từ {low} đến {high} {unit}", f"must be between {low} and {high} {unit}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = f"{ctx.get('ge', ctx.get('gt')):g}"
        return f"phải từ {bound} trở lên", f"must be at least {bound}"
    if kind in ("less_than_equal", "less_than"):
        bound = f"{ctx.get('le', ctx.get('lt')):g}"
        return f"phải không quá {bound}", f"must be at most {bound}"
    return WHY.get(kind, ("giá trị không hợp lệ", err["msg"]))


WHY: dict[str, tuple[str, str]] = {
    "missing": ("thiếu thông tin bắt buộc", "is required"),
    "extra_forbidden": ("không phải là mục có thể tự khai", "is not a field you can declare"),
    "float_parsing": ("phải là một số", "must be a number"),
    "int_parsing": ("phải là một số nguyên", "must be a whole number"),
    "float_type": ("phải là một số", "must be a number"),
    "int_type": ("phải là một số nguyên", "must be a whole number"),
    "string_type": ("phải là chữ", "must be text"),
    "literal_error": ("không nằm trong danh sách cho phép", "is not one of the allowed values"),
    "string_pattern_mismatch": ("không đúng định dạng", "has the wrong format"),
    "string_too_long": ("quá dài", "is too long"),
    "string_too_short": ("không được để trống", "must not be empty"),
    "too_long": ("có quá nhiều mục", "has too many items"),
    "date_from_datetime_parsing": ("phải là ngày dạng NĂM-THÁNG-NGÀY", "must be a YYYY-MM-DD date"),
    "date_parsing": ("phải là ngày dạng NĂM-THÁNG-NGÀY", "must be a YYYY-MM-DD date"),
    "bool_parsing": ("phải là có hoặc không", "must be true or false"),
    "model_type": ("phải là một nhóm thông tin", "must be an object"),
    "list_type": ("phải là một danh sách", "must be a list"),
    "value_error": ("giá trị không hợp lệ", "is not a valid value"),
}
