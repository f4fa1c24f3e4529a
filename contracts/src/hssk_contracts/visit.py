"""The canonical visit: one hospital encounter, whatever format (JSON, QĐ 130 XML, FHIR) it came in.

Codes stay strings (visit type "01", patient category "1.11"); instants are timezone-aware.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from hssk_contracts import text

IdentifierType = Literal["cccd", "cmnd", "bhyt", "passport", "eid", "temp"]
Sex = Literal["male", "female", "unknown"]

# A date with its precision: "1990-05-01", "1990-05" or "1990"; unknown parts stay unknown.
PartialDate = Annotated[
    str, Field(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$", examples=["1990-05-01"])
]
FacilityCode = Annotated[str, Field(pattern=r"^[0-9]{5}$", description="MA_CSKCB, 5 digits")]
Icd10 = Annotated[str, Field(pattern=r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$", max_length=7)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a timezone offset, e.g. 2026-11-20T08:30:00+07:00")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
NAME_MAX = 255  # HO_TEN, QĐ 130 XML1


def _sent_at_most_255(value: object) -> object:
    """The limit holds for what was sent: padding is not trimmed away into passing."""
    if isinstance(value, str) and len(value) > NAME_MAX:
        raise ValueError(f"a name has at most {NAME_MAX} characters; this one has {len(value)}")
    return value


def _real_name(value: str) -> str:
    text.check(value)
    if any(c in value for c in "\t\r\n"):
        raise ValueError("a name is written on one line")
    if not text.has_letter(value):
        raise ValueError("a name must contain letters")
    return " ".join(value.split())


# A person's name: one line with letters, inner spaces collapsed, at most 255 characters sent.
PersonName = Annotated[
    str,
    BeforeValidator(_sent_at_most_255),
    Field(min_length=1, max_length=NAME_MAX),
    AfterValidator(_real_name),
]


class Strict(BaseModel):
    # Tolerant readers; hospital input is checked for unknown fields by `codec.unknown_fields`.
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class Identifier(Strict):
    type: IdentifierType
    value: Annotated[str, Field(min_length=1, max_length=32)]


class Patient(Strict):
    name: PersonName
    identifiers: list[Identifier] = Field(min_length=1)
    birth_date: PartialDate | None = None
    sex: Sex = "unknown"
    phone: Annotated[str, Field(max_length=20)] | None = None
    address: Annotated[str, Field(max_length=500)] | None = None
    commune_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = None
    province_code: Annotated[str, Field(pattern=r"^[0-9]{2,3}$")] | None = None
    ethnicity: str | None = None
    nationality: str | None = None
    occupation: str | None = None
    blood_group: str | None = None
    guardian_name: Annotated[str, Field(max_length=255)] | None = None  # NGUOI_GIAM_HO
    initial_facility: FacilityCode | None = Field(default=None, description="MA_DKBD")
    bhyt_valid_from: date | None = None
    bhyt_valid_to: date | None = None


class LabResult(Strict):
    service_code: str | None = None
    code: str | None = None
    name: str
    value: str | None = None
    unit: str | None = None
    conclusion: str | None = None
    at: AwareDatetime | None = None


class Drug(Strict):
    code: str | None = None
    name: str
    strength: str | None = None
    dosage: str | None = None
    quantity: float | None = None


class Procedure(Strict):
    code: str | None = None
    name: str | None = None


class Immunization(Strict):
    code: str | None = None
    name: str
    given_on: date | None = None


class DischargeSummary(Strict):
    """XML8 / FHIR discharge summary: the record template's fields 41-45."""

    disease_course: str | None = None  # QT_BENHLY
    key_results: str | None = None  # TOMTAT_KQ
    treatment: str | None = None  # PP_DIEUTRI
    outcome: str | None = None  # KET_QUA_DTRI (summary)
    notes: str | None = None  # GHI_CHU


class Referral(Strict):
    """XML13: a referral to another facility."""

    to_facility: FacilityCode | None = None
    from_facility: FacilityCode | None = None
    reason_code: str | None = None
    clinical_signs: str | None = None
    direction: str | None = None


class Vitals(Strict):
    weight_kg: Annotated[float, Field(gt=0, le=400)] | None = None
    height_cm: Annotated[float, Field(gt=20, le=260)] | None = None
    systolic_mmhg: Annotated[int, Field(ge=40, le=300)] | None = None
    diastolic_mmhg: Annotated[int, Field(ge=20, le=200)] | None = None
    pulse_bpm: Annotated[int, Field(ge=20, le=300)] | None = None
    temperature_c: Annotated[float, Field(ge=30, le=45)] | None = None


class Visit(Strict):
    """One encounter at one facility. (facility_code, visit_id) never changes across resends."""

    facility_code: FacilityCode
    visit_id: Annotated[str, Field(min_length=1, max_length=100, description="MA_LK")]
    revision: Annotated[int, Field(ge=1)] = 1
    sent_at: AwareDatetime
    patient: Patient
    visit_type: Annotated[str, Field(pattern=r"^[0-9]{2}$", description="MA_LOAI_KCB")] = "01"
    patient_category: str | None = Field(default=None, description="MA_DOITUONG_KCB")
    admitted_at: AwareDatetime
    discharged_at: AwareDatetime | None = None
    reason: str | None = None
    diagnosis_admission: str | None = None
    diagnosis_discharge: str | None = None
    main_icd10: Icd10 | None = None
    secondary_icd10: list[Icd10] = Field(default_factory=list, max_length=12)
    outcome: Annotated[str, Field(pattern=r"^[1-8]$")] | None = None
    discharge_type: Annotated[str, Field(pattern=r"^[1-5]$")] | None = None
    vitals: Vitals = Field(default_factory=Vitals)
    labs: list[LabResult] = Field(default_factory=list)
    drugs: list[Drug] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    revisit_date: date | None = None
    advice: str | None = None
    referral_to: FacilityCode | None = None
    doctor_code: str | None = None
    standard: Literal["json", "qd130", "qd4750", "qd3176", "qd4210", "fhir-r4"] = "json"
    inpatient_at: AwareDatetime | None = None
    treatment_days: Annotated[int, Field(ge=0)] | None = None
    department_codes: list[str] = Field(default_factory=list)
    traditional_codes: list[str] = Field(default_factory=list)  # MA_BENH_YHCT
    immunizations: list[Immunization] = Field(default_factory=list)
    summary: DischargeSummary | None = None
    referral: Referral | None = None

    @property
    def key(self) -> str:
        return f"{self.facility_code}:{self.visit_id}"
