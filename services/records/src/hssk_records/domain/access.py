"""Who may read a citizen's record (docs/security.md), as a pure decision with its reason: the
citizen their own; a doctor whose facility saw the citizen recently, or under an open
emergency access of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hssk_records.domain.emergency import Grant
from hssk_records.domain.record import Record


@dataclass(frozen=True)
class Access:
    allowed: bool
    purpose: str
    reason: str
    emergency: bool = False


def may_read(
    *,
    role: str,
    subject_person_id: str | None,
    facility: str | None,
    record: Record,
    now: datetime,
    doctor_window: timedelta,
    grant: Grant | None = None,
) -> Access:
    if role == "citizen":
        if subject_person_id == record.person_id:
            return Access(True, "own record", "the citizen reads their own record")
        return Access(False, "other's record", "a citizen may read only their own record")
    if role == "doctor" and facility:
        if record.has_visit_at(facility, now - doctor_window):
            return Access(True, "treatment", f"recent visit at facility {facility}")
        if grant is not None and grant.active(now) and grant.facility == facility:
            return Access(True, "emergency", grant.stated, emergency=True)
        return Access(False, "treatment", doctor_refusal(record.person_id, facility, doctor_window))
    return Access(False, "not permitted", f"role {role} may not read health records")


def doctor_refusal(person_id: str, facility: str, doctor_window: timedelta) -> str:
    """The one answer a doctor without access gets, whether or not the record exists."""
    return (
        f"no visit of this person at facility {facility} in the last {doctor_window.days} days "
        "and no open emergency access; open one with POST "
        f"/v1/records/{person_id}/emergency-access (a coded purpose and a reason)"
    )
