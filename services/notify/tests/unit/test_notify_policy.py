"""domain/policy.reminders_for: incomplete-profile and appointment reminders, in Vietnamese."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hssk_contracts.events import Appointment, Completeness, RecordChangedData
from hssk_notify.domain.policy import reminders_for

PID = "person-0001"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 10:00 in Vietnam, ISO week 2026-W47
FILLABLE_MISSING = ["drug_allergy", "blood_group", "height", "weight", "main_icd10"]


def change(
    missing: list[str] = FILLABLE_MISSING, appointments: tuple[date, ...] = ()
) -> RecordChangedData:
    return RecordChangedData(
        person_id=PID,
        version=3,
        change="visit_added",
        visit_key="01001:LK1",
        cause_event_id="evt-00000001",
        completeness=Completeness(filled=46 - len(missing), total=46, missing=missing),
        appointments=[
            Appointment(date=d, facility_code="01001", visit_key="01001:LK1") for d in appointments
        ],
    )


def of_kind(reminders, kind):
    return [r for r in reminders if r.kind == kind]


def test_incomplete_profile_lists_citizen_fillable_fields_in_vietnamese():
    (r,) = reminders_for(change(), NOW)

    assert (r.kind, r.person_id, r.channel) == ("incomplete_profile", PID, "sms")
    assert r.reminder_id == f"{PID}:incomplete_profile:2026-W47"
    # Template order of the policy, at most three named, the rest counted; no internal keys.
    assert r.message_vi.startswith(
        "Hồ sơ sức khỏe của bạn còn thiếu: nhóm máu, chiều cao, cân nặng và 1 mục khác."
    )
    assert "main_icd10" not in r.message_vi and "mã bệnh" not in r.message_vi.lower()
    assert r.due_at == NOW  # 10:00 local is past the 09:00 slot: due now


def test_a_short_list_names_every_field_without_a_remainder():
    (r,) = reminders_for(change(missing=["phone", "referral"]), NOW)
    assert "còn thiếu: số điện thoại." in r.message_vi
    assert "mục khác" not in r.message_vi


def test_early_morning_change_is_due_at_nine_local():
    early = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)  # 06:30 on 20/11 in Vietnam
    (r,) = reminders_for(change(), early)
    assert r.due_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_late_evening_change_is_due_next_morning_at_nine_local():
    evening = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # 21:00 in Vietnam
    (r,) = reminders_for(change(), evening)
    assert r.due_at == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (datetime(2026, 11, 16, 1, 0, tzinfo=UTC), datetime(2026, 11, 22, 12, 0, tzinfo=UTC), True),
        # 18:00Z on Sunday is already Monday 01:00 in Vietnam: the next week.
        (
            datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
            datetime(2026, 11, 22, 18, 0, tzinfo=UTC),
            False,
        ),
        # ISO week 53 of 2026 spans the new year.
        (datetime(2026, 12, 31, 3, 0, tzinfo=UTC), datetime(2027, 1, 1, 3, 0, tzinfo=UTC), True),
    ],
)
def test_at_most_one_incomplete_reminder_per_iso_week(a, b, same):
    (ra,) = reminders_for(change(), a)
    (rb,) = reminders_for(change(missing=["phone"]), b)
    assert (ra.reminder_id == rb.reminder_id) is same


def test_week_53_reminder_id_uses_the_iso_year():
    (r,) = reminders_for(change(), datetime(2027, 1, 1, 3, 0, tzinfo=UTC))
    assert r.reminder_id.endswith(":incomplete_profile:2026-W53")


@pytest.mark.parametrize("missing", [[], ["referral", "procedures", "disease_course"]])
def test_complete_profile_gets_no_incomplete_reminder(missing):
    assert reminders_for(change(missing=missing), NOW) == []


def test_appointment_reminder_is_due_the_day_before_at_eight_vietnam_time():
    reminders = reminders_for(change(missing=[], appointments=(date(2026, 12, 1),)), NOW)

    (r,) = of_kind(reminders, "appointment")
    assert len(reminders) == 1
    assert r.due_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert r.reminder_id == f"{PID}:appointment:2026-12-01:01001"
    assert "01/12/2026" in r.message_vi and "01001" in r.message_vi
    assert r.message_vi.startswith("Nhắc lịch tái khám")


def test_appointment_tomorrow_after_eight_is_due_now():
    (r,) = reminders_for(change(missing=[], appointments=(date(2026, 11, 21),)), NOW)
    assert r.due_at == NOW


def test_past_appointments_are_ignored():
    reminders = reminders_for(
        change(
            missing=[], appointments=(date(2026, 11, 19), date(2026, 10, 1), date(2026, 11, 25))
        ),
        NOW,
    )
    assert [r.reminder_id for r in reminders] == [f"{PID}:appointment:2026-11-25:01001"]


def test_past_is_judged_by_the_vietnam_date():
    late = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # already 21/11 01:00 in Vietnam
    assert reminders_for(change(missing=[], appointments=(date(2026, 11, 20),)), late) == []


def test_incomplete_and_appointment_reminders_together():
    reminders = reminders_for(change(appointments=(date(2026, 12, 1),)), NOW)
    assert [r.kind for r in reminders] == ["incomplete_profile", "appointment"]
