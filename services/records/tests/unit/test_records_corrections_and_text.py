"""domain/corrections and domain/access_text: a correction request goes to the facility that
reported the value, or to the ward health station for what the citizen declared or nobody
recorded, due 10 days after the request's Vietnam date; and each access-log entry reads as one
plain Vietnamese sentence (who, what, how it ended, when in Vietnam time, why)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_kit.audit import AuditEntry
from hssk_records.domain.access_text import sentence, when
from hssk_records.domain.corrections import CorrectionRequest, open_request, problem
from hssk_records.domain.events import Placed, with_facts
from hssk_records.domain.facts import Fact, Source
from hssk_records.domain.record import Record
from hssk_records.domain.visits import with_visit

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PID = "person-0001"


def visit(visit_id: str, facility: str, days_ago: int, **patient: Any) -> Visit:
    admitted = NOW - timedelta(days=days_ago)
    return Visit(
        facility_code=facility,
        visit_id=visit_id,
        sent_at=admitted,
        admitted_at=admitted,
        reason="Đau đầu",
        patient=Patient(
            name="Nguyễn Văn An",
            identifiers=[Identifier(type="cccd", value="001090012345")],
            **patient,
        ),
    )


def record() -> Record:
    r = with_visit(Record(person_id=PID), visit("LK1", "01001", 9, phone="0900000001"))
    r = with_visit(r, visit("LK2", "01003", 2, commune_code="00004", phone="0900000002"))
    declared = Fact(value="O+", source=Source(kind="self_declared", by="citizen", at=NOW))
    return with_facts(r, [Placed(part="health", slot="blood_group", fact=declared)])


def request(field: str, now: datetime = NOW):
    return open_request(CorrectionRequest(field=field, proposed="x"), record(), now)


def test_a_value_a_facility_reported_goes_to_that_facility():
    assert (request("phone").owner_kind, request("phone").owner) == ("facility", "01003")
    assert (request("reason").owner_kind, request("reason").owner) == ("facility", "01003")
    assert (request("name").owner_kind, request("name").owner) == ("facility", "01003")


def test_what_the_citizen_declared_or_nobody_recorded_goes_to_the_ward_health_station():
    for field in ("blood_group", "occupation", "drug_allergy"):
        correction = request(field)
        assert (correction.owner_kind, correction.owner) == ("ward", "00004"), field

    nobody = open_request(
        CorrectionRequest(field="blood_group", proposed="A+"), Record(person_id=PID), NOW
    )
    assert (nobody.owner_kind, nobody.owner) == ("ward", None)  # no ward known yet


def test_a_correction_is_open_with_what_was_asked():
    asked = CorrectionRequest(field="birth_date", proposed="1990-05-01", note="Sai năm sinh")
    correction = open_request(asked, record(), NOW)

    assert correction.person_id == PID
    assert (correction.field, correction.proposed, correction.note) == (
        "birth_date",
        "1990-05-01",
        "Sai năm sinh",
    )
    assert (correction.status, correction.requested_at) == ("open", NOW)
    assert correction.correction_id != request("birth_date").correction_id


def test_it_is_due_10_days_after_the_requests_date_in_vietnam():
    assert request("phone", NOW).due_on == date(2026, 11, 30)
    # 16:59 UTC is 23:59 in Vietnam, still the 20th; 17:00 UTC is already the 21st there.
    assert request("phone", datetime(2026, 11, 20, 16, 59, tzinfo=UTC)).due_on == date(2026, 11, 30)
    assert request("phone", datetime(2026, 11, 20, 17, 0, tzinfo=UTC)).due_on == date(2026, 12, 1)


def test_a_field_that_is_not_in_the_record_is_a_problem_in_vietnamese():
    assert problem(CorrectionRequest(field="birth_date", proposed="1990")) is None
    assert problem(CorrectionRequest(field="shoe_size", proposed="42")) == {
        "field": "field",
        "rule": "unknown_field",
        "value": "shoe_size",
        "message": "Không có mục này trong hồ sơ sức khỏe.",
        "message_en": "no such field in the health record",
    }


def entry(**fields: Any) -> dict[str, Any]:
    base = {"actor": "bs-0042", "role": "doctor", "action": "record.read", "person_id": PID}
    return AuditEntry(**{**base, **fields}).to_doc()


def test_a_doctors_emergency_read_names_the_facility_the_purpose_the_reason_and_version():
    read = entry(
        purpose="emergency",
        outcome="allowed",
        facility="01003",
        at=datetime(2026, 11, 20, 17, 5, tzinfo=UTC),
        emergency=True,
        reason="Người bệnh bất tỉnh: hôn mê sau tai nạn giao thông",
        record_version=7,
    )

    assert sentence(read) == (
        "Bác sĩ tại cơ sở 01003 đã xem hồ sơ sức khỏe của bạn lúc 00:05 ngày 21/11/2026, "
        "mục đích: cấp cứu. Lý do khẩn cấp được nêu: “Người bệnh bất tỉnh: hôn mê sau tai nạn "
        "giao thông”. Phiên bản hồ sơ được xem: 7."
    )
    opened = {**read, "action": "record.emergency_access", "record_version": None}
    assert sentence(opened).startswith(
        "Bác sĩ tại cơ sở 01003 đã mở quyền xem khẩn cấp hồ sơ của bạn lúc 00:05 ngày 21/11/2026"
    )


def test_a_denied_read_says_it_was_refused():
    denied = entry(purpose="treatment", outcome="denied", facility="01009", at=NOW)

    assert sentence(denied) == (
        "Bác sĩ tại cơ sở 01009 đã yêu cầu xem hồ sơ sức khỏe của bạn nhưng đã bị từ chối "
        "lúc 10:00 ngày 20/11/2026, mục đích: khám, chữa bệnh."
    )
    assert "Lý do khẩn cấp" not in sentence({**denied, "reason": "x"})  # not an emergency


def test_a_dead_letter_read_says_an_operator_saw_a_refused_visit_with_your_data():
    read = entry(
        actor="op-1",
        role="operator",
        action="dlq.read",
        person_id=None,
        purpose="dead-letter handling",
        outcome="allowed",
        at=datetime(2026, 1, 2, 20, 30, tzinfo=UTC),
        match_keys=("cccd:001090012345",),
    )

    assert sentence(read) == (
        "Kỹ thuật viên vận hành hệ thống đã xem một dữ liệu khám bị từ chối có thông tin "
        "của bạn lúc 03:30 ngày 03/01/2026, mục đích: xử lý dữ liệu khám bị lỗi."
    )


def test_a_ward_officer_is_named_with_the_ward_and_the_unknown_said_generally():
    officer = entry(role="ward_officer", ward="00004", purpose="registration", outcome="allowed")
    assert sentence({**officer, "at": NOW}).startswith(
        "Cán bộ y tế phường, xã 00004 đã xem hồ sơ sức khỏe của bạn lúc 10:00 ngày 20/11/2026"
    )
    odd = {"role": "robot", "action": "x.y", "at": "2026-11-20T03:00:00+00:00"}
    assert sentence(odd) == (
        "Một người đã truy cập dữ liệu sức khỏe của bạn lúc 10:00 ngày 20/11/2026."
    )


def test_times_are_said_in_vietnam_time_whatever_offset_they_were_written_with():
    assert when("2026-11-20T03:00:00Z") == "10:00 ngày 20/11/2026"
    assert when("2026-11-20T10:00:00+07:00") == "10:00 ngày 20/11/2026"
    assert when("2026-12-31T17:30:00") == "00:30 ngày 01/01/2027"  # no offset: UTC
