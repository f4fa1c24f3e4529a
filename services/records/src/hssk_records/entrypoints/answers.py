"""The shapes of the records API's answers, for the OpenAPI: what `domain/views.record_view`, the
history, the access log, QR codes, emergency accesses, shares and corrections return, as models
(the domain's own for encounters, medications, labs, appointments, referrals and corrections).
They document, they do not filter: the routes return their answers as built, and tests hold
the answers to these models with no field unknown to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts.visit import Identifier
from hssk_records.domain.corrections import Correction
from hssk_records.domain.facts import Kind
from hssk_records.domain.record import Appointment, Encounter, Lab, Medication, Referral


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceShown(Strict):
    kind: Kind = Field(description="self_declared, facility_reported or clinician_confirmed")
    badge: str = Field(description="the kind as the pages say it, in Vietnamese")
    by: str = Field(description="citizen, a facility code, or identity")
    at: str = Field(description="when it was said (ISO 8601)")
    visit_key: str | None = None


class FactShown(Strict):
    value: Any
    source: SourceShown


class Shown(Strict):
    """A value to rely on with its provenance, other sources' different values beside it; or
    that nothing (or "none known") is recorded."""

    status: Literal["recorded", "not_recorded", "none_known"]
    value: Any = None
    source: SourceShown | None = None
    also: list[FactShown] = []
    reported_by_facilities: list[str] = []


class CurrentMedications(Strict):
    status: Literal["recorded", "not_recorded"]
    items: list[Medication]


class Alerts(Strict):
    drug_allergies: Shown
    other_allergies: Shown
    chronic_conditions: Shown
    current_medications: CurrentMedications
    blood_group: Shown


class MissingLabel(Strict):
    field: str
    label: str


class CompletenessShown(Strict):
    filled: int
    total: int = Field(description="46: the fields of the national template")
    score: float
    missing: list[str]
    missing_labels: list[MissingLabel]
    best_next: str | None = Field(description="the one missing item that would help most")
    best_next_label: str | None


class RecordView(Strict):
    """A record as its reader sees it: alerts first, then vitals, encounters, labs,
    appointments, the rest of the profile and how complete it is."""

    person_id: str
    version: int = Field(description="the record version shown (also in the access log)")
    alerts: Alerts
    vitals: dict[str, Shown] = Field(description="height_cm, weight_kg, blood_pressure, …")
    encounters: list[Encounter] = Field(description="the latest visits, newest first")
    encounter_count: int
    labs: list[Lab]
    appointments: list[Appointment]
    referrals: list[Referral]
    identity: dict[str, Shown]
    identifiers: list[Identifier]
    profile: dict[str, Shown]
    vaccinations_reported: list[str]
    completeness: CompletenessShown | None
    merged_in: list[str]
    as_of: str | None = Field(default=None, description="the instant asked for, if any")


class HistoryItem(Strict):
    version: int
    at: str
    change: str
    by: str
    sections: list[str]
    visit_key: str | None = None


class History(Strict):
    person_id: str
    items: list[HistoryItem] = Field(description="newest first")
    next_before: int | None = Field(description="pass as ?before= for the next page")


class AccessEntry(Strict):
    """One look at the record (or attempt), as the citizen reads it."""

    seq: int
    at: str | None
    actor: str | None
    role: str | None
    facility: str | None
    service: str | None
    action: str | None
    purpose: str | None
    outcome: str | None
    emergency: bool | None = None
    reason: str | None = None
    record_version: int | None = None
    detail: str | None = None
    text_vi: str = Field(description="the whole entry as one plain Vietnamese sentence")
    hash: str = Field(description="this entry's link in the log's hash chain")


class AccessLogPage(Strict):
    person_id: str
    total: int
    counts: dict[str, int] = Field(description="entries by outcome")
    emergencies: list[AccessEntry] = Field(description="emergency accesses, pinned first")
    entries: list[AccessEntry] = Field(description="newest first")
    next_before: int | None


class QrIssued(Strict):
    person_id: str
    url: str = Field(description="what the code encodes: the page that redeems it")
    token: str = Field(description="signed, single use, short-lived")
    expires_at: str | None
    svg: str = Field(description="the code as SVG, for printing")
    png_base64: str = Field(description="the code as PNG, base64")


class EmergencyOpened(Strict):
    person_id: str
    purpose: str
    reason: str
    opened_at: datetime
    expires_at: datetime


class ShareMade(Strict):
    share_id: str
    scope: Literal["summary", "full"]
    url: str = Field(description="what the QR code encodes, for a doctor to open")
    token: str
    expires_at: str
    svg: str


class ShareShown(Strict):
    share_id: str
    person_id: str
    scope: Literal["summary", "full"]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


class Shares(Strict):
    items: list[ShareShown]


class Revoked(Strict):
    share_id: str
    revoked: bool


class Corrections(Strict):
    items: list[Correction]
