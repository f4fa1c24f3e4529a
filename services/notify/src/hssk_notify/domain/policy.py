"""Reminder policy: from a record change to the reminders a citizen should get, in Vietnamese.

Reminder ids are natural keys (person, kind, week or date), so the same change never reminds twice
and an incomplete profile is nagged at most once a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from hssk_contracts.events import Channel, RecordChangedData, ReminderKind

VN = timezone(timedelta(hours=7))
# Fields a citizen can fill from a phone, with the words a citizen reads.
CITIZEN_FILLABLE = {
    "blood_group": "nhóm máu",
    "height": "chiều cao",
    "weight": "cân nặng",
    "drug_allergy": "dị ứng thuốc",
    "other_allergy": "dị ứng khác",
    "chronic_diseases": "bệnh mạn tính",
    "vaccinations": "tiêm chủng",
    "phone": "số điện thoại",
    "representative_name": "người đại diện",
    "representative_phone": "điện thoại người đại diện",
}
MAX_LISTED = 3


@dataclass(frozen=True)
class Reminder:
    reminder_id: str
    person_id: str
    kind: ReminderKind
    due_at: datetime
    message_vi: str
    channel: Channel = "sms"


def _at_local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), VN).astimezone(UTC)


def reminders_for(change: RecordChangedData, now: datetime) -> list[Reminder]:
    out: list[Reminder] = []
    today = now.astimezone(VN).date()
    missing = set(change.completeness.missing)
    fillable = [k for k in CITIZEN_FILLABLE if k in missing]
    if fillable:
        year, week, _ = today.isocalendar()
        listed = ", ".join(CITIZEN_FILLABLE[k] for k in fillable[:MAX_LISTED])
        more = f" và {len(fillable) - MAX_LISTED} mục khác" if len(fillable) > MAX_LISTED else ""
        out.append(
            Reminder(
                reminder_id=f"{change.person_id}:incomplete_profile:{year}-W{week:02d}",
                person_id=change.person_id,
                kind="incomplete_profile",
                due_at=max(_at_local(today, 9), now)
                if now.astimezone(VN).hour < 20
                else _at_local(today + timedelta(days=1), 9),
                message_vi=(
                    f"Hồ sơ sức khỏe của bạn còn thiếu: {listed}{more}. "
                    "Vui lòng quét mã QR hoặc mở ứng dụng để bổ sung."
                ),
            )
        )
    for appt in change.appointments:
        if appt.date < today:
            continue
        due = max(_at_local(appt.date - timedelta(days=1), 8), now)
        out.append(
            Reminder(
                reminder_id=f"{change.person_id}:appointment:{appt.date.isoformat()}:"
                f"{appt.facility_code}",
                person_id=change.person_id,
                kind="appointment",
                due_at=due,
                message_vi=(
                    f"Nhắc lịch tái khám ngày {appt.date:%d/%m/%Y} tại cơ sở "
                    f"{appt.facility_code}. Vui lòng mang theo căn cước hoặc thẻ BHYT."
                ),
            )
        )
    return out
