"""What a record change announces on records.change.v1: which sections changed, the new version
and completeness, upcoming appointments (notify's reminders need them) and the ward (statistics
need it), and no more personal data than that. Its id comes from its cause, so a replay or a
resend announces the very same event."""

from __future__ import annotations

from datetime import datetime, timedelta

from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    Appointment,
    Completeness,
    ContactChanged,
    ContactData,
    RecordChanged,
    RecordChangedData,
)
from hssk_records.domain.events import RecordEvent
from hssk_records.domain.record import Record

PRODUCER = "records"
VN = timedelta(hours=7)
SECTION_OF_SLOT = {
    "drug_allergies": "allergies",
    "other_allergies": "allergies",
    "chronic_conditions": "conditions",
    "blood_group": "conditions",
    "phone": "contact",
    "representative": "contact",
}
ANNOUNCED_AS = {"merged_away": "person_merged", "restored": "person_unmerged"}


def sections(event: RecordEvent) -> list[str]:
    if event.visit is not None:
        v = event.visit
        found = {"encounters", "identity"}
        found |= {
            name
            for name, present in (
                ("vitals", any(v.vitals.model_dump(exclude_none=True).values())),
                ("labs", v.labs),
                ("medications", v.drugs),
                ("appointments", v.revisit_date),
                ("referrals", v.referral_to),
                ("conditions", v.main_icd10 or v.secondary_icd10),
            )
            if present
        }
        return sorted(found)
    if event.facts or event.identifiers:
        return sorted(
            {
                "identity"
                if p.part == "admin" and p.slot != "phone"
                else "vitals"
                if p.part == "vitals"
                else SECTION_OF_SLOT.get(p.slot, "profile")
                for p in event.facts
            }
            | ({"identity"} if event.identifiers else set())
        )
    return ["all"]  # a merge, an unmerge, a tombstone


def announcement(record: Record, event: RecordEvent, now: datetime) -> RecordChanged:
    c = record.completeness
    today = (now + VN).date()
    data = RecordChangedData(
        person_id=record.person_id,
        version=record.version,
        change=ANNOUNCED_AS.get(event.change, event.change),  # type: ignore[arg-type]
        visit_key=event.visit.key if event.visit else None,
        cause_event_id=event.cause,
        completeness=Completeness(
            filled=c.filled, total=c.total, missing=c.missing, best_next=c.best_next
        )
        if c
        else Completeness(filled=0, total=46, missing=[]),
        appointments=[
            Appointment(date=a.date, facility_code=a.facility_code, visit_key=a.visit_key)
            for a in record.upcoming(today)
        ],
        ward_code=record.ward_code,
        sections=sections(event),
    )
    return RecordChanged.new(
        event_id=derive_event_id("record-changed", event.cause, record.person_id),
        producer=PRODUCER,
        key=record.person_id,
        data=data,
        occurred_at=event.at,
    )


CONTACT_SECTIONS = {"identity", "contact", "all"}  # what may change a phone number or the ward


def contact(record: Record, change: RecordChanged) -> ContactChanged | None:
    """How the citizen can be reached, for notify alone, when `change` may have changed it; its
    id comes from the change's, so a replay announces the very same contact event."""
    if not CONTACT_SECTIONS & set(change.data.sections):
        return None
    phone, representative = (
        _reachable(record, "admin", "phone"),
        _reachable(record, "health", "representative"),
    )
    rep_phone = representative.value.get("phone") if representative else None
    return ContactChanged.new(
        event_id=derive_event_id("record-contact", change.event_id),
        producer=PRODUCER,
        key=record.person_id,
        data=ContactData(
            person_id=record.person_id,
            phone=phone.value if phone else None,
            representative_phone=rep_phone or None,
            ward_code=record.ward_code,
            merged_into=record.merged_into,
            version=record.version,
        ),
        occurred_at=change.occurred_at,
    )


def _reachable(record: Record, part: str, slot: str):
    """The number the citizen gave themselves wins: it is where they want to be reached."""
    held = record.slot(part, slot)
    return held.facts.get("self_declared") or held.trusted()
