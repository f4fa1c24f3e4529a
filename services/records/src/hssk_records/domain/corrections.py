"""A citizen's request to correct their record (a data-subject right: answered within 2 working
days, done within 10 days, docs/domain.md), routed to whoever owns the value: the facility that
reported it, or the ward health station for what the citizen or identity recorded."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field

from hssk_records.domain.completeness import ADMIN, HEALTH
from hssk_records.domain.facts import Frozen
from hssk_records.domain.health import Value
from hssk_records.domain.record import Record
from hssk_records.domain.template import LABELS

DAYS_TO_ACT = 10
PLACES = {
    **{f: ("admin", slot) for f, slot in ADMIN.items()},
    **{f: ("health", slot) for f, slot in HEALTH.items()},
    "height": ("vitals", "height_cm"),
    "weight": ("vitals", "weight_kg"),
}
VN = timedelta(hours=7)


class CorrectionRequest(Value):
    field: Annotated[str, Field(description="a template field key, e.g. birth_date")]
    proposed: Annotated[str, Field(min_length=1, max_length=500)]
    note: Annotated[str, Field(max_length=1000)] | None = None


class Correction(Frozen):
    correction_id: str
    person_id: str
    field: str
    proposed: str
    note: str | None = None
    requested_at: datetime
    due_on: date
    owner_kind: Literal["facility", "ward"]
    owner: str | None
    status: Literal["open", "done", "refused"] = "open"


def problem(request: CorrectionRequest) -> dict[str, str] | None:
    if request.field in LABELS:
        return None
    return {
        "field": "field",
        "rule": "unknown_field",
        "value": request.field,
        "message": "Không có mục này trong hồ sơ sức khỏe.",
        "message_en": "no such field in the health record",
    }


def open_request(request: CorrectionRequest, record: Record, now: datetime) -> Correction:
    owner_kind, owner = _owner(record, request.field)
    return Correction(
        correction_id=str(uuid.uuid4()),
        person_id=record.person_id,
        field=request.field,
        proposed=request.proposed,
        note=request.note,
        requested_at=now,
        due_on=(now + VN).date() + timedelta(days=DAYS_TO_ACT),
        owner_kind=owner_kind,
        owner=owner,
    )


def _owner(record: Record, field: str) -> tuple[Literal["facility", "ward"], str | None]:
    source = record.visit_fields.get(field)
    place = PLACES.get(field)
    if source is None and place is not None:
        slot = record.slot(*place)
        fact = slot.latest() if place[0] == "vitals" else slot.trusted()  # as the view shows
        source = fact.source if fact else None
    if source is not None and source.by.isdigit():  # a facility code
        return "facility", source.by
    return "ward", record.ward_code
