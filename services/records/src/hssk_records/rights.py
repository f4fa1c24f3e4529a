"""Handlers of the citizen's data-subject rights: the whole record to take away (as JSON: the
record, every visit in its latest revision and the history; or as an HL7 FHIR R4 International
Patient Summary), and a request to correct a value, routed to whoever owns it, with the date
it is due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from hssk_contracts.codec import problems_from
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_records.declaring import NO_RECORD
from hssk_records.domain import corrections, ips
from hssk_records.domain.corrections import Correction, CorrectionRequest
from hssk_records.ports import CorrectionStore, EventLog, RecordRepository
from hssk_records.reading import entry
from hssk_records.writing import history, live


async def export(
    who: Principal,
    fmt: str,
    *,
    records: RecordRepository,
    events: EventLog,
    audit: AuditLog,
    now: datetime,
) -> dict[str, Any] | None:
    assert who.person_id is not None
    person_id, record = await live(records, who.person_id)
    if record is None:
        await audit.append(entry(who, who.person_id, "record.export", "not_found"))
        return None
    await audit.append(
        entry(
            who,
            person_id,
            "record.export",
            "allowed",
            purpose="own record",
            detail=fmt,
            record_version=record.version,
        )
    )
    if fmt == "fhir":
        return ips.bundle(record, now=now)
    past = await history(person_id, record.version, events)
    visits = {e.visit.key: e.visit for e in past if e.visit is not None}  # the latest revision
    return {
        "exported_at": now.isoformat(),
        "record": record.comparable(),
        "encounters": [v.model_dump(mode="json", exclude_none=True) for v in visits.values()],
        "history": [
            {"version": e.version, "at": e.at.isoformat(), "change": e.change, "by": e.by}
            for e in past
        ],
    }


async def request_correction(
    who: Principal,
    body: Any,
    *,
    records: RecordRepository,
    store: CorrectionStore,
    audit: AuditLog,
    now: datetime,
) -> tuple[Correction | None, list[dict[str, Any]]]:
    try:
        request = CorrectionRequest.model_validate(body)
    except ValidationError as exc:
        return None, [p.__dict__ for p in problems_from(exc)]
    if problem := corrections.problem(request):
        return None, [problem]
    assert who.person_id is not None
    _, record = await live(records, who.person_id)
    if record is None:
        await audit.append(entry(who, who.person_id, "record.correct", "not_found"))
        return None, [NO_RECORD]
    correction = corrections.open_request(request, record, now)
    await store.add(correction)
    return correction, []
