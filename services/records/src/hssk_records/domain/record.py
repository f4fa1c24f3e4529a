"""A citizen's health record as it is now (its history is the record events, `events.py`): the
administrative data, the health profile and the latest vitals as slots of sourced facts, the
latest encounters, labs and medications, current appointments and referrals, which facilities
saw the citizen, and how complete the record is. Small and bounded, whatever the history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from hssk_contracts.visit import Identifier
from hssk_records.domain.facts import Fact, Frozen, Slot, Source

RECENT_ENCOUNTERS = 10
RECENT_LABS = 30
KEPT_APPOINTMENTS = 20
KEPT_REFERRALS = 10
KEYS_PER_ITEM = 20  # visit keys remembered per reported condition, newest first


class Encounter(Frozen):
    """What the record keeps of a visit; the whole visit is in the encounters collection."""

    key: str
    facility_code: str
    visit_id: str
    visit_type: str
    admitted_at: datetime
    discharged_at: datetime | None = None
    revision: int = 1
    reason: str | None = None
    diagnosis: str | None = None
    main_icd10: str | None = None
    secondary_icd10: list[str] = Field(default_factory=list)
    outcome: str | None = None
    doctor_code: str | None = None
    revisit_date: date | None = None
    standard: str | None = None


class Appointment(Frozen):
    date: date
    facility_code: str
    visit_key: str


class Referral(Frozen):
    to_facility: str
    from_facility: str
    visit_key: str
    at: datetime
    reason: str | None = None


class Medication(Frozen):
    name: str
    strength: str | None = None
    dosage: str | None = None
    visit_key: str
    facility_code: str
    prescribed_at: datetime


class Lab(Frozen):
    name: str
    value: str | None = None
    unit: str | None = None
    conclusion: str | None = None
    at: datetime
    visit_key: str


class Completeness(Frozen):
    filled: int
    total: int
    missing: list[str] = Field(default_factory=list)
    best_next: str | None = None

    @property
    def score(self) -> float:
        return round(self.filled / self.total, 4)


class Record(Frozen):
    person_id: str
    version: int = 0
    identifiers: list[Identifier] = Field(default_factory=list)
    admin: dict[str, Slot] = Field(default_factory=dict)
    health: dict[str, Slot] = Field(default_factory=dict)
    vitals: dict[str, Slot] = Field(default_factory=dict)
    # Conditions and vaccines seen in visits: item -> the visits that reported it (a corrected
    # visit that no longer reports it takes its key away).
    reported: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    visit_fields: dict[str, Source] = Field(default_factory=dict)  # template field -> last visit
    encounters: list[Encounter] = Field(default_factory=list)  # newest admission first
    encounter_count: int = 0
    appointments: list[Appointment] = Field(default_factory=list)
    referrals: list[Referral] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)  # of the latest prescribing visit
    labs: list[Lab] = Field(default_factory=list)
    facilities: dict[str, datetime] = Field(default_factory=dict)  # facility -> latest admission
    completeness: Completeness | None = None
    last_change: dict[str, Any] = Field(default_factory=dict)
    merged_into: str | None = None  # a tombstone: read that record instead
    merged_in: list[str] = Field(default_factory=list)

    def slot(self, part: str, name: str) -> Slot:
        slots: dict[str, Slot] = getattr(self, part)
        return slots.get(name, Slot())

    def trusted(self, part: str, name: str) -> Fact | None:
        return self.slot(part, name).trusted()

    @property
    def ward_code(self) -> str | None:
        fact = self.trusted("admin", "commune_code")
        return fact.value if fact else None

    def has_visit_at(self, facility_code: str, since: datetime) -> bool:
        last = self.facilities.get(facility_code)
        return last is not None and last >= since

    def upcoming(self, today: date) -> list[Appointment]:
        return [a for a in self.appointments if a.date >= today]

    def reported_items(self, kind: str) -> list[str]:
        return sorted(item for item, keys in self.reported.get(kind, {}).items() if keys)

    def comparable(self) -> dict[str, Any]:
        """The state, without what only the announcing needs (for rebuild checks)."""
        return self.model_dump(mode="json", exclude={"last_change"})
