"""Every event on every enveloped topic, and the union of event types each topic may carry.

Events are past-tense facts. Additive changes stay in v1; a breaking change needs a v2 topic.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts.envelope import Envelope
from hssk_contracts.visit import Identifier, PartialDate, Sex, Visit

MatchDecision = Literal["matched", "created"]
ReminderKind = Literal["incomplete_profile", "appointment"]
Channel = Literal["sms", "zalo", "vneid", "app", "email"]
SuppressReason = Literal[
    "resolved",  # the gap closed or the visit happened before the message went
    "held_out",  # the citizen is in the campaign's random hold-out group
    "opted_out",
    "cap_citizen_7d",
    "cap_campaign",
    "no_channel",  # no address notify can reach: the ward worklist takes it
    "expired",  # its window passed (an appointment reminder after the appointment)
]


class Data(BaseModel):
    # Tolerant readers: a field added in v1 by a newer producer must not break older consumers.
    model_config = ConfigDict(extra="ignore", frozen=True)


# ---- emr.visit.v1 -------------------------------------------------------------------------------
class VisitSubmitted(Envelope):
    type: Literal["VisitSubmitted"] = "VisitSubmitted"
    data: Visit


# ---- emr.visit.accepted.v1 ----------------------------------------------------------------------
SourceFormat = Literal["json", "qd130-xml", "fhir-r4", "http-json"]


class Source(Data):
    format: SourceFormat
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


class VisitWarning(Data):
    field: str
    rule: str
    message: str


class VisitAcceptedData(Data):
    visit: Visit
    source: Source
    content_hash: Annotated[str, Field(min_length=16, max_length=64)]
    warnings: list[VisitWarning] = Field(default_factory=list)


class VisitAccepted(Envelope):
    type: Literal["VisitAccepted"] = "VisitAccepted"
    data: VisitAcceptedData


# ---- emr.visit.dlq.v1 / platform.dlq.v1 ---------------------------------------------------------
class Reason(Data):
    field: str = Field(description="where: a dotted path into the payload, or '$' for the whole")
    rule: str = Field(description="why: the rule broken, a stable machine-readable code")
    message: str = Field(description="what, for a person: says the value and the expectation")
    value: str | None = None


class RejectedData(Data):
    reasons: list[Reason] = Field(min_length=1)
    original_b64: str
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    source_key: str | None = None
    facility_code: str | None = None
    attempt: Annotated[int, Field(ge=1)] = 1
    rejected_by: str
    part: Annotated[int, Field(ge=0)] | None = Field(
        default=None,
        description="which visit of a file of several (a QĐ 130 file's HOSO, from 0): "
        "original_b64 then holds that visit alone",
    )


class VisitRejected(Envelope):
    type: Literal["VisitRejected"] = "VisitRejected"
    data: RejectedData


class EventRejected(Envelope):
    type: Literal["EventRejected"] = "EventRejected"
    data: RejectedData


# ---- records.visit.v1 ---------------------------------------------------------------------------
class VisitResolvedData(Data):
    person_id: str
    visit: Visit
    decision: MatchDecision
    matched_on: str = Field(description="the identifier kind that decided, e.g. 'cccd'")
    accepted_event_id: str
    content_hash: str


class VisitResolved(Envelope):
    type: Literal["VisitResolved"] = "VisitResolved"
    data: VisitResolvedData


# ---- identity.person.v1 -------------------------------------------------------------------------
class PersonSnapshot(Data):
    person_id: str
    version: Annotated[int, Field(ge=1)]
    identifiers: list[Identifier]
    name: str
    birth_date: PartialDate | None = None
    sex: Sex = "unknown"
    commune_code: str | None = None
    merged_into: str | None = None


class PersonCreated(Envelope):
    type: Literal["PersonCreated"] = "PersonCreated"
    data: PersonSnapshot


class PersonUpdated(Envelope):
    type: Literal["PersonUpdated"] = "PersonUpdated"
    data: PersonSnapshot


class PersonMerged(Envelope):
    type: Literal["PersonMerged"] = "PersonMerged"
    data: PersonSnapshot


class PersonUnmerged(Envelope):
    type: Literal["PersonUnmerged"] = "PersonUnmerged"
    data: PersonSnapshot


# ---- records.change.v1 --------------------------------------------------------------------------
class Completeness(Data):
    filled: Annotated[int, Field(ge=0)]
    total: Annotated[int, Field(ge=1)]
    missing: list[str] = Field(description="field keys still empty, in template order")
    best_next: str | None = Field(
        default=None,
        description="the one missing field the citizen can fill that would help most "
        "(records' completeness rule), None when only a visit can fill what is missing",
    )


class Appointment(Data):
    date: date
    facility_code: str
    visit_key: str


class RecordChangedData(Data):
    person_id: str
    version: Annotated[int, Field(ge=1)]
    change: Literal[
        "visit_added",
        "visit_revised",
        "self_declared",
        "clinician_confirmed",
        "person_updated",
        "person_merged",
        "person_unmerged",
    ]
    visit_key: str | None = None
    cause_event_id: str
    completeness: Completeness
    appointments: list[Appointment] = Field(default_factory=list)
    ward_code: str | None = None
    sections: list[str] = Field(
        default_factory=list,
        description="what changed: identity, allergies, conditions, vitals, encounters, labs, "
        "medications, appointments, referrals, profile, contact",
    )


class RecordChanged(Envelope):
    type: Literal["RecordChanged"] = "RecordChanged"
    data: RecordChangedData


# ---- notify.reminder.v1 -------------------------------------------------------------------------
class ReminderData(Data):
    reminder_id: str
    person_id: str
    kind: ReminderKind
    due_at: datetime
    channel: Channel
    message_vi: str
    cause_event_id: str


class ReminderScheduled(Envelope):
    type: Literal["ReminderScheduled"] = "ReminderScheduled"
    data: ReminderData


class ReminderOutcomeData(Data):
    """What became of one reminder (its reminder_id is the dedupe key of person, reason and
    window): sent on a channel, delivered, failed on every channel, or suppressed and why."""

    reminder_id: str
    person_id: str
    kind: ReminderKind
    campaign: str = Field(
        description="e.g. incomplete_profile:2026-Q4; the hold-out is per campaign"
    )
    channel: Channel | None = None
    reason: SuppressReason | None = None
    error: str | None = Field(default=None, description="the provider's error class, on failure")
    provider_id: str | None = None
    attempts: Annotated[int, Field(ge=0)] = 0
    cause_event_id: str
    group: Literal["reminded", "held_out"] | None = Field(
        default=None,
        description="in the campaign's effect measure: reminded, or in its random hold-out",
    )
    ward_code: str | None = Field(default=None, description="the citizen's ward when planned")
    status: Literal["sent", "delivered", "failed", "suppressed"] | None = Field(
        default=None, description="on ReminderCompleted: what had become of the reminder"
    )


class ReminderSent(Envelope):
    type: Literal["ReminderSent"] = "ReminderSent"
    data: ReminderOutcomeData


class ReminderDelivered(Envelope):
    type: Literal["ReminderDelivered"] = "ReminderDelivered"
    data: ReminderOutcomeData


class ReminderFailed(Envelope):
    type: Literal["ReminderFailed"] = "ReminderFailed"
    data: ReminderOutcomeData


class ReminderSuppressed(Envelope):
    type: Literal["ReminderSuppressed"] = "ReminderSuppressed"
    data: ReminderOutcomeData


class ReminderCompleted(Envelope):
    """The citizen filled the item a completeness reminder named, after it was planned: sent,
    or held out (the effect compares both groups)."""

    type: Literal["ReminderCompleted"] = "ReminderCompleted"
    data: ReminderOutcomeData


ReminderEvent = Annotated[
    ReminderScheduled
    | ReminderSent
    | ReminderDelivered
    | ReminderFailed
    | ReminderSuppressed
    | ReminderCompleted,
    Field(discriminator="type"),
]


# ---- records.contact.v1 -------------------------------------------------------------------------
class ContactData(Data):
    """How a citizen can be reached, for notify alone (kept off records.change.v1, which other
    city systems read): the phone numbers the record trusts, and the ward."""

    person_id: str
    phone: str | None = None
    representative_phone: str | None = None
    ward_code: str | None = None
    merged_into: str | None = Field(default=None, description="set when the record was merged")
    version: int | None = Field(
        default=None, description="the record version these details are from (older ones lose)"
    )


class ContactChanged(Envelope):
    type: Literal["ContactChanged"] = "ContactChanged"
    data: ContactData


# ---- audit.access.v1 ----------------------------------------------------------------------------
AccessOutcome = Literal["allowed", "denied", "not_found"]


class AccessData(Data):
    """One attempt to read or act on health data, whatever its outcome: who, whose, what, why,
    when, and what was shown. The citizen reads these as "who looked at my record"."""

    subject: str = Field(
        description="whose log it goes to: the person_id, or 'ops:<service>' for an action on "
        "no one's record (e.g. listing dead letters)"
    )
    person_id: str | None = None
    match_keys: list[str] = Field(
        default_factory=list,
        description="match keys ('cccd:...') of the person concerned when the person_id is not "
        "known to the service (a dead letter is read before identity resolves it)",
    )
    actor: Annotated[str, Field(min_length=1, max_length=200)]
    role: str
    facility: str | None = None
    ward: str | None = None
    service: str
    action: str = Field(description="what was done, e.g. record.read, person.read, dlq.read")
    purpose: str = Field(description="why: treatment, emergency, own record, identification...")
    outcome: AccessOutcome
    emergency: bool = False
    reason: str | None = Field(default=None, description="the reason given, for emergency access")
    detail: str | None = None
    record_version: int | None = Field(default=None, description="the record version shown")
    at: datetime


class AccessRecorded(Envelope):
    type: Literal["AccessRecorded"] = "AccessRecorded"
    data: AccessData


PersonEvent = Annotated[
    PersonCreated | PersonUpdated | PersonMerged | PersonUnmerged, Field(discriminator="type")
]
