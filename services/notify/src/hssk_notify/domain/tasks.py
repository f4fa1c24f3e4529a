"""Reminder tasks (as CHT's tasks): each has a due time, a window after which it lapses and a rule
saying when it is resolved without a message. A task's id is its dedupe key (citizen, reason,
window), so a replayed change or a restart plans the very same task, never a second one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from hssk_notify.domain.messages import Channel, ErrorClass
from hssk_notify.domain.state import CitizenState, Frozen
from hssk_notify.domain.window import VN

Kind = Literal["incomplete_profile", "appointment"]
Moment = Literal["day_before", "morning"]
Status = Literal["scheduled", "sending", "sent", "delivered", "failed", "suppressed"]
Group = Literal["reminded", "held_out"]
FINAL: frozenset[str] = frozenset({"sent", "delivered", "failed", "suppressed"})
COMPLETENESS_WINDOW = timedelta(days=7)
DAY_BEFORE_AT, MORNING_AT, MORNING_UNTIL = time(8), time(7), time(11)


class Attempt(Frozen):
    channel: Channel
    accepted: bool
    error: ErrorClass | None = None
    provider_id: str | None = None
    unicode: bool = True
    at: datetime


class Task(Frozen):
    id: str
    person_id: str
    kind: Kind
    campaign: str
    item: str  # the missing field, or the appointment "<date>@<facility>"
    moment: Moment | None = None
    due_at: datetime
    window_end: datetime
    cause_event_id: str
    status: Status = "scheduled"
    group: Group | None = None
    reason: str | None = None  # why suppressed or failed
    channel: Channel | None = None  # the channel it went (or is going) on
    attempts: tuple[Attempt, ...] = ()
    completed_at: datetime | None = None  # the gap closed after this task was planned
    # Channels whose provider accepted the message and then reported it undelivered (a
    # receipt): the task is sent again further down the ladder, never on those again.
    undelivered: tuple[Channel, ...] = ()
    delivered_at: datetime | None = None  # the provider's receipt: the handset got it
    ward_code: str | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def appointment(self) -> tuple[date, str]:
        day, facility = self.item.split("@", 1)
        return date.fromisoformat(day), facility


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, VN).astimezone(UTC)


def campaign(kind: Kind, now: datetime) -> str:
    today = now.astimezone(VN).date()
    return f"{kind}:{today.year}-Q{(today.month - 1) // 3 + 1}"


def plan(state: CitizenState, now: datetime, cause: str) -> list[Task]:
    """Every task the state calls for now (the caller keeps those it has not planned yet)."""
    if state.merged_into:
        return []
    base: dict[str, Any] = {"person_id": state.person_id, "cause_event_id": cause,
                            "ward_code": state.ward_code}  # fmt: skip
    out: list[Task] = []
    if state.best_next:
        year, week, _ = now.astimezone(VN).date().isocalendar()
        out.append(
            Task(
                id=f"{state.person_id}:incomplete_profile:{state.best_next}:{year}-W{week:02d}",
                kind="incomplete_profile",
                campaign=campaign("incomplete_profile", now),
                item=state.best_next,
                due_at=now,
                window_end=now + COMPLETENESS_WINDOW,
                **base,
            )
        )
    for appt in state.appointments:
        out += _appointment_tasks(appt.day, appt.facility_code, now, base)
    return out


def _appointment_tasks(day: date, facility: str, now: datetime, base: dict[str, Any]) -> list[Task]:
    moments: list[tuple[Moment, datetime, datetime]] = [
        ("day_before", local(day - timedelta(days=1), DAY_BEFORE_AT), local(day, time(0))),
        ("morning", local(day, MORNING_AT), local(day, MORNING_UNTIL)),
    ]
    return [
        Task(
            id=f"{base['person_id']}:appointment:{day.isoformat()}:{facility}:{moment}",
            kind="appointment",
            campaign=campaign("appointment", now),
            item=f"{day.isoformat()}@{facility}",
            moment=moment,
            due_at=max(due, now),
            window_end=end,
            **base,
        )
        for moment, due, end in moments
        if now < end
    ]


def resolved(task: Task, state: CitizenState) -> bool:
    """The task's "resolved when" rule: the gap closed, or the citizen came to the visit."""
    if task.kind == "incomplete_profile":
        return task.item not in state.missing
    day, facility = task.appointment
    seen = state.last_visit(facility)
    return seen is not None and seen >= local(day - timedelta(days=1), time(0))
