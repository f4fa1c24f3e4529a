"""The values of the personal health profile (QĐ 831 sections B and C, and the electronic health
book's key indicators): what a citizen can declare and a facility can report. Lists say "none
known" explicitly: no known allergy is an answer, not a gap (as in the International Patient
Summary)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts.visit import Icd10, PersonName

T = TypeVar("T")
Text = Annotated[str, Field(min_length=1, max_length=200)]
BLOOD_GROUPS = ("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")
BloodGroup = Literal["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
AllergyKind = Literal["drug", "chemical", "food", "other"]
DisabilityKind = Literal["hearing", "vision", "hand", "leg", "scoliosis", "cleft", "other"]
Relative = Literal["father", "mother", "sibling", "grandparent", "child", "spouse", "other"]


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Allergy(Value):
    kind: AllergyKind = "drug"
    substance: Text
    reaction: Text | None = None


class Condition(Value):
    name: Text
    icd10: Icd10 | None = None
    since_year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class Vaccination(Value):
    name: Text
    given_on: date | None = None
    dose: Annotated[int, Field(ge=1, le=10)] | None = None


class FamilyCondition(Value):
    relative: Relative
    condition: Text


class Surgery(Value):
    body_part: Text
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class Listed(Value, Generic[T]):
    """A list the citizen answered: items, or none known. Not answering is a gap."""

    none_known: bool = False
    items: list[T] = Field(default_factory=list, max_length=30)


class BloodPressure(Value):
    systolic: Annotated[int, Field(ge=60, le=260)]
    diastolic: Annotated[int, Field(ge=30, le=160)]


class RiskFactors(Value):
    smoking: Literal["never", "current", "quit"] | None = None
    alcohol_cups_per_day: Annotated[float, Field(ge=0, le=40)] | None = None
    physical_activity: Literal["none", "some", "regular"] | None = None


class Reproductive(Value):
    pregnancies: Annotated[int, Field(ge=0, le=30)] | None = None
    births: Annotated[int, Field(ge=0, le=30)] | None = None
    caesarean: Annotated[int, Field(ge=0, le=30)] | None = None
    miscarriages: Annotated[int, Field(ge=0, le=30)] | None = None
    abortions: Annotated[int, Field(ge=0, le=30)] | None = None
    living_children: Annotated[int, Field(ge=0, le=30)] | None = None


class Representative(Value):
    """Fields 12-15 of the health book: guardian, caregiver or representative."""

    name: PersonName
    relation: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: Annotated[str, Field(pattern=r"^[0-9]{12}$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9]{8,15}$")] | None = None
