"""Handlers of what people write into a record: the citizen's self-declaration, and a doctor's
confirmation of a value (which the citizen's later declarations never overwrite). Bad input is
answered with every problem, in Vietnamese and English, and changes nothing; every attempt on
someone's record is audited."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish
from hssk_records.domain import declaration
from hssk_records.domain.events import Change, Placed, RecordEvent
from hssk_records.domain.facts import Kind
from hssk_records.domain.record import Record
from hssk_records.ports import GrantStore
from hssk_records.reading import Read, allowed, entry
from hssk_records.writing import Stores, commit, live, with_retries

Problems = list[dict[str, str]]
NO_RECORD = {
    "field": "$",
    "rule": "no_record",
    "message": "Không tìm thấy hồ sơ của bạn.",
    "message_en": "no record found",
}
EMPTY = {
    "field": "$",
    "rule": "empty",
    "message": "Chưa có thông tin nào để lưu.",
    "message_en": "nothing to store: send at least one field",
}


async def declare(
    who: Principal,
    body: Any,
    *,
    stores: Stores,
    publish: Publish,
    audit: AuditLog,
    now: datetime,
) -> tuple[Record | None, Problems]:
    """The citizen's own declaration: (the record after, []) or (None, problems)."""
    assert who.person_id is not None
    done, problems = await _write(
        who.person_id,
        body,
        "self_declared",
        "citizen",
        "self_declared",
        stores=stores,
        publish=publish,
        now=now,
    )
    if problems == [NO_RECORD]:
        await audit.append(entry(who, who.person_id, "record.declare", "not_found"))
    return done, problems


async def confirm(
    person_id: str,
    who: Principal,
    body: Any,
    *,
    stores: Stores,
    grants: GrantStore,
    publish: Publish,
    audit: AuditLog,
    now: datetime,
    doctor_window: timedelta,
) -> tuple[Read, Problems]:
    """A doctor who may read the record confirms values in it."""
    read, access = await allowed(
        person_id,
        who,
        "record.confirm",
        records=stores.records,
        grants=grants,
        audit=audit,
        now=now,
        doctor_window=doctor_window,
    )
    if access is None:
        return read, []
    done, problems = await _write(
        person_id,
        body,
        "clinician_confirmed",
        who.subject,
        "clinician_confirmed",
        stores=stores,
        publish=publish,
        now=now,
    )
    if done is None:
        return Read("invalid"), problems
    await audit.append(
        entry(
            who,
            person_id,
            "record.confirm",
            "allowed",
            purpose=access.purpose,
            record_version=done.version,
        )
    )
    return Read("ok", record=done), []


async def _write(
    person_id: str,
    body: Any,
    kind: Kind,
    by: str,
    change: Change,
    *,
    stores: Stores,
    publish: Publish,
    now: datetime,
) -> tuple[Record | None, Problems]:
    parsed, problems = declaration.parse(body)
    if parsed is None:
        return None, problems
    facts = declaration.facts_of(parsed, now, kind=kind, by=by)
    if not facts:
        return None, [EMPTY]
    placed = [
        Placed.model_validate({"part": part, "slot": slot, "fact": f})
        for (part, slot), f in facts.items()
    ]
    cause = f"{change}:{uuid.uuid4()}"

    async def attempt() -> Record | None:
        target, record = await live(stores.records, person_id)
        if record is None:
            return None  # every person identity knows has a record: no such person
        return await commit(
            record,
            RecordEvent(
                person_id=target,
                version=record.version + 1,
                at=now,
                change=change,
                cause=cause,
                by=by,
                facts=placed,
            ),
            stores=stores,
            publish=publish,
        )

    done = await with_retries(attempt, f"record {person_id}")
    return (done, []) if done is not None else (None, [NO_RECORD])
