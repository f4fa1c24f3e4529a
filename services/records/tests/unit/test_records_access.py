"""domain/access.may_read: who may read a citizen's record, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_records.domain import emergency
from hssk_records.domain.access import may_read
from hssk_records.domain.events import RecordEvent, apply

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
    event = RecordEvent(
        person_id="person-A",
        version=1,
        at=admitted_at,
        change="visit_added",
        cause="c1",
        by=facility,
        visit=v,
        content_hash="h1",
    )
    return apply(None, event)


@pytest.fixture
def record():
    return record_with_visit_at("01001", NOW - timedelta(days=3))


def read(record, role, *, subject=None, facility=None, grant=None):
    return may_read(
        role=role,
        subject_person_id=subject,
        facility=facility,
        record=record,
        now=NOW,
        doctor_window=WINDOW,
        grant=grant,
    )


def grant_for(facility: str, *, opened: datetime = NOW - timedelta(minutes=5), minutes: int = 60):
    return emergency.open_grant(
        doctor="bs-1",
        person_id="person-A",
        facility=facility,
        purpose="unconscious_patient",
        reason="bệnh nhân hôn mê, cần tiền sử dị ứng",
        now=opened,
        lasts=timedelta(minutes=minutes),
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


def test_an_open_emergency_access_of_the_doctors_facility_allows_a_flagged_read(record):
    access = read(record, "doctor", facility="79001", grant=grant_for("79001"))
    assert (access.allowed, access.purpose, access.emergency) == (True, "emergency", True)
    assert access.reason.startswith("unconscious_patient: bệnh nhân hôn mê")


@pytest.mark.parametrize(
    "grant",
    [
        grant_for("79001", opened=NOW - timedelta(minutes=61)),  # expired
        grant_for("79001", opened=NOW + timedelta(minutes=1)),  # not yet
        grant_for("01002"),  # opened at another facility
    ],
)
def test_an_expired_or_foreign_emergency_access_allows_nothing(record, grant):
    assert read(record, "doctor", facility="79001", grant=grant).allowed is False


@pytest.mark.parametrize(
    "reason",
    ["..........", "\u200b" * 10, "cấp cứu", "aaaa bbbb cccc", "   123456789   ", "x y z w v u"],
)
def test_an_emergency_reason_must_be_real_words(reason):
    vi, en = emergency.reason_problem(reason) or ("", "")
    assert "Lý do" in vi and "reason" in en


@pytest.mark.parametrize(
    "reason", ["Bệnh nhân hôn mê, cần biết tiền sử dị ứng", "patient unconscious after a fall"]
)
def test_a_real_emergency_reason_passes(reason):
    assert emergency.reason_problem(reason) is None


@pytest.mark.parametrize("role", ["leader", "operator", "ward_officer"])
def test_other_roles_may_not_read_records(record, role):
    access = read(record, role, subject="person-A", facility="01001", grant=grant_for("01001"))
    assert (access.allowed, access.purpose) == (False, "not permitted")
    assert role in access.reason
