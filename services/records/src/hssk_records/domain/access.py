"""Who may read a citizen's record (design.md §5), as a pure decision with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hssk_records.domain.record import Record


@dataclass(frozen=True)
class Access:
    allowed: bool
    purpose: str
    reason: str


def may_read(
    *,
    role: str,
    subject_person_id: str | None,
    facility: str | None,
    record: Record,
    now: datetime,
    doctor_window: timedelta,
    emergency_reason: str | None = None,
) -> Access:
    if role == "citizen":
        if subject_person_id == record.person_id:
            return Access(True, "own record", "the citizen reads their own record")
        return Access(False, "other's record", "a citizen may read only their own record")
    if role == "doctor" and facility:
        if record.has_visit_at(facility, now - doctor_window):
            return Access(True, "treatment", f"recent visit at facility {facility}")
        if emergency_reason and len(emergency_reason.strip()) >= 10:
            return Access(True, "emergency", emergency_reason.strip()[:500])
        return Access(
            False,
            "treatment",
            f"no visit at facility {facility} in the last {doctor_window.days} days; "
            "use emergency access with a reason (at least 10 characters)",
        )
    return Access(False, "not permitted", f"role {role} may not read health records")
