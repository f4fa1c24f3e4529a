"""Record reads as a use case: no existence oracle (unknown and not-yours answer alike, and are
audited alike), a tombstone only after the access check, and break-glass with a real reason,
time-boxed, counted per doctor and flagged in the audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_kit.audit import InMemoryAuditLog
from hssk_kit.auth import Principal
from hssk_records import breakglass, reading
from hssk_records.adapters.memory import (
    InMemoryAllowances,
    InMemoryEventLog,
    InMemoryGrantStore,
    InMemoryRecordRepository,
)
from hssk_records.domain.events import RecordEvent, apply

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
A, B, GHOST = (f"{c * 8}-0000-5000-8000-{c * 12}" for c in "abc")
REASON = "bệnh nhân hôn mê, cần biết tiền sử dị ứng thuốc"


def visit(facility: str) -> Visit:
    return Visit(
        facility_code=facility,
        visit_id=f"LK-{facility}",
        sent_at=NOW - timedelta(days=2),
        admitted_at=NOW - timedelta(days=2),
        patient=Patient(
            name="Trần Thị Lan", identifiers=[Identifier(type="cccd", value="001190012345")]
        ),
    )


@pytest.fixture
async def world():
    records, grants, audit = InMemoryRecordRepository(), InMemoryGrantStore(), InMemoryAuditLog()
    await records.save(first(A, visit("01001")))
    return records, grants, audit, InMemoryAllowances()


def first(person_id: str, v) -> object:
    event = RecordEvent(
        person_id=person_id,
        version=1,
        at=NOW,
        change="visit_added",
        cause="c",
        by=v.facility_code,
        visit=v,
        content_hash="h",
    )
    return apply(None, event)


def citizen(pid: str) -> Principal:
    return Principal(subject=f"citizen-{pid[:4]}", role="citizen", person_id=pid)


DOCTOR = Principal(subject="bs-minh", role="doctor", facility="79024")


async def read(world, pid: str, who: Principal) -> reading.Read:
    records, grants, audit, _ = world
    return await reading.read_record(
        pid,
        who,
        records=records,
        events=InMemoryEventLog(),
        grants=grants,
        audit=audit,
        now=NOW,
        doctor_window=timedelta(days=365),
    )


async def test_a_citizen_cannot_tell_someone_elses_record_from_no_record(world):
    theirs, nobodys = await read(world, A, citizen(B)), await read(world, GHOST, citizen(B))
    assert (
        (theirs.status, theirs.message)
        == (nobodys.status, nobodys.message)
        == (
            "not_found",
            reading.NOT_YOURS,
        )
    )
    outcomes = [(e.person_id, e.outcome) for e in world[2].entries]
    assert outcomes == [(A, "denied"), (GHOST, "not_found")]  # both attempts audited


async def test_a_doctor_gets_one_answer_for_unknown_and_unrelated_records(world):
    unrelated, unknown = await read(world, A, DOCTOR), await read(world, GHOST, DOCTOR)
    assert unrelated.status == unknown.status == "forbidden"
    assert unrelated.message.replace(A, "X") == unknown.message.replace(GHOST, "X")


async def test_a_tombstone_is_shown_only_to_those_who_may_read_it(world):
    records = world[0]
    await records.save(first(B, visit("79024")))
    tomb = (await records.get(A)).model_copy(update={"merged_into": B, "version": 2})
    await records.save(tomb)
    assert (await read(world, A, citizen(A))).status == "merged"
    assert (await read(world, A, citizen(B))).status == "not_found"
    assert (await read(world, A, DOCTOR)).status == "merged"  # the survivor's care relationship
    other = Principal(subject="bs-x", role="doctor", facility="01999")
    assert (await read(world, A, other)).status == "forbidden"


async def open_access(world, who=DOCTOR, pid=A, reason=REASON, per_day=3):
    records, grants, audit, allowances = world
    return await breakglass.open_emergency_access(
        pid,
        who,
        purpose="unconscious_patient",
        reason=reason,
        records=records,
        grants=grants,
        allowances=allowances,
        audit=audit,
        now=NOW,
        lasts=timedelta(minutes=60),
        per_day=per_day,
    )


async def test_break_glass_opens_a_flagged_time_boxed_read(world):
    assert (await read(world, A, DOCTOR)).status == "forbidden"
    opened = await open_access(world)
    assert opened.status == "ok" and opened.grant.expires_at == NOW + timedelta(minutes=60)
    assert (await read(world, A, DOCTOR)).status == "ok"
    last = world[2].entries[-1]
    assert (last.action, last.emergency, last.purpose) == ("record.read", True, "emergency")
    assert last.reason == f"unconscious_patient: {REASON}"
    assert last.record_version == 1


async def test_break_glass_needs_real_words_and_is_rate_limited(world):
    refused = await open_access(world, reason="." * 10)
    assert refused.status == "invalid" and "Lý do" in refused.message and refused.message_en
    for _ in range(3):
        assert (await open_access(world, per_day=3)).status == "ok"
    assert (await open_access(world, per_day=3)).status == "too_many"
    assert world[2].entries[-1].outcome == "denied"


async def test_break_glass_on_no_record_is_not_found(world):
    assert (await open_access(world, pid=GHOST)).status == "not_found"
