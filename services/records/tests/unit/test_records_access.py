"""domain/access.may_read: who may read a citizen's record, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_records.domain.access import may_read
from hssk_records.domain.record import apply_visit

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)


def record_with_visit_at(facility: str, admitted_at: datetime):
    v = Visit(
        facility_code=facility,
        visit_id="LK1",
        sent_at=admitted_at,
        admitted_at=admitted_at,
        patient=Patient(
            name="Trần Thị Lan", identifiers=[Identifier(type="cccd", value="001190012345")]
        ),
    )
    return apply_visit(None, "person-A", v, "h1").record


@pytest.fixture
def record():
    return record_with_visit_at("01001", NOW - timedelta(days=3))


def read(record, role, *, subject=None, facility=None, emergency=None):
    return may_read(
        role=role,
        subject_person_id=subject,
        facility=facility,
        record=record,
        now=NOW,
        doctor_window=WINDOW,
        emergency_reason=emergency,
    )


def test_citizen_reads_own_record(record):
    access = read(record, "citizen", subject="person-A")
    assert (access.allowed, access.purpose) == (True, "own record")


def test_citizen_may_not_read_someone_else(record):
    access = read(record, "citizen", subject="person-B")
    assert access.allowed is False
    assert "only their own" in access.reason


def test_doctor_at_a_facility_with_a_recent_visit_may_read(record):
    access = read(record, "doctor", facility="01001")
    assert (access.allowed, access.purpose) == (True, "treatment")
    assert "01001" in access.reason


@pytest.mark.parametrize(("facility", "days_ago"), [("79001", 3), ("01001", 31)])
def test_doctor_without_a_recent_visit_there_is_denied_with_a_reason(facility, days_ago):
    record = record_with_visit_at("01001", NOW - timedelta(days=days_ago))
    access = read(record, "doctor", facility=facility)
    assert access.allowed is False
    assert facility in access.reason
    assert "30 days" in access.reason
    assert "emergency" in access.reason


def test_doctor_without_a_facility_is_denied(record):
    assert read(record, "doctor", facility=None).allowed is False


def test_emergency_with_a_real_reason_is_allowed_for_emergency(record):
    access = read(record, "doctor", facility="79001", emergency="  Bệnh nhân hôn mê, cấp cứu  ")
    assert (access.allowed, access.purpose) == (True, "emergency")
    assert access.reason == "Bệnh nhân hôn mê, cấp cứu"


@pytest.mark.parametrize("reason", ["cấp cứu", "   123456789   ", ""])
def test_emergency_with_a_short_reason_is_denied(record, reason):
    assert read(record, "doctor", facility="79001", emergency=reason).allowed is False


@pytest.mark.parametrize("role", ["leader", "operator", "ward_officer"])
def test_other_roles_may_not_read_records(record, role):
    access = read(
        record, role, subject="person-A", facility="01001", emergency="Cấp cứu khẩn cấp tại chỗ"
    )
    assert (access.allowed, access.purpose) == (False, "not permitted")
    assert role in access.reason
