"""A citizen's health record and the pure rule for applying a resolved visit to it.

The record keeps the change event of its latest version. One citizen's visits are applied in
order and each change is published before the next is applied, so only the latest change can be
unannounced after a crash: a redelivered visit re-emits exactly that event (same id, same content).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts.visit import Identifier, Visit


class Frozen(BaseModel):
    # Stored documents may carry fields an older or newer version of this service wrote.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Demographics(Frozen):
    name: str
    identifiers: list[Identifier] = Field(default_factory=list)
    birth_date: str | None = None
    sex: str = "unknown"
    phone: str | None = None
    address: str | None = None
    commune_code: str | None = None
    ethnicity: str | None = None
    nationality: str | None = None
    occupation: str | None = None
    blood_group: str | None = None


class VisitEntry(Frozen):
    key: str
    revision: int
    sent_at: datetime
    content_hash: str
    applied_version: int
    visit: Visit


class Record(Frozen):
    person_id: str
    version: int = 0
    demographics: Demographics
    visits: dict[str, VisitEntry] = Field(default_factory=dict)
    declared: dict[str, Any] = Field(default_factory=dict)
    last_change: dict[str, Any] = Field(default_factory=dict)
    merged_into: str | None = None  # a tombstone: the history now lives in that record
    moved_out: list[str] = Field(default_factory=list)  # visit keys moved there by the merge

    @property
    def ward_code(self) -> str | None:
        return self.demographics.commune_code

    def has_visit_at(self, facility_code: str, since: datetime) -> bool:
        return any(
            e.visit.facility_code == facility_code and e.visit.admitted_at >= since
            for e in self.visits.values()
        )

    def appointments(self, today: date) -> list[tuple[date, str, str]]:
        return sorted(
            (e.visit.revisit_date, e.visit.facility_code, e.key)
            for e in self.visits.values()
            if e.visit.revisit_date and e.visit.revisit_date >= today
        )


@dataclass(frozen=True)
class Outcome:
    """What applying a visit did: the record to store (None: store nothing) and the change."""

    record: Record | None
    kind: str  # "visit_added" | "visit_revised" | "replayed" | "stale"
    entry: VisitEntry | None


def demographics_from(visit: Visit, previous: Demographics | None) -> Demographics:
    """The latest visit's patient data wins field by field; what it leaves empty is kept."""
    p = visit.patient
    fresh = {
        "name": p.name,
        "birth_date": p.birth_date,
        "phone": p.phone,
        "address": p.address,
        "commune_code": p.commune_code,
        "ethnicity": p.ethnicity,
        "nationality": p.nationality,
        "occupation": p.occupation,
        "blood_group": p.blood_group,
        "sex": p.sex if p.sex != "unknown" else None,
    }
    base = previous.model_dump() if previous else {"name": p.name}
    merged = {**base, **{k: v for k, v in fresh.items() if v}}
    known = {(i.type, i.value): i for i in (previous.identifiers if previous else [])}
    known.update({(i.type, i.value): i for i in p.identifiers})
    merged["identifiers"] = list(known.values())
    return Demographics(**merged)


def apply_visit(record: Record | None, person_id: str, visit: Visit, content_hash: str) -> Outcome:
    existing = record.visits.get(visit.key) if record else None
    if existing is not None:
        if existing.content_hash == content_hash:
            return Outcome(None, "replayed", existing)
        if (visit.revision, visit.sent_at) <= (existing.revision, existing.sent_at):
            return Outcome(None, "stale", existing)
    base = record or Record(person_id=person_id, demographics=demographics_from(visit, None))
    version = base.version + 1
    entry = VisitEntry(
        key=visit.key,
        revision=visit.revision,
        sent_at=visit.sent_at,
        content_hash=content_hash,
        applied_version=version,
        visit=visit,
    )
    others = [e.visit.admitted_at for k, e in base.visits.items() if k != visit.key]
    newest = max([visit.admitted_at, *others])
    demographics = (
        demographics_from(visit, base.demographics)
        if visit.admitted_at >= newest
        else base.demographics
    )
    updated = base.model_copy(
        update={
            "version": version,
            "demographics": demographics,
            "visits": {**base.visits, visit.key: entry},
        }
    )
    return Outcome(updated, "visit_revised" if existing else "visit_added", entry)


def unannounced_change(record: Record, entry: VisitEntry) -> dict[str, Any] | None:
    """The change a redelivered visit must announce again: only the latest one can be pending."""
    if entry.applied_version == record.version and record.last_change:
        return record.last_change
    return None
