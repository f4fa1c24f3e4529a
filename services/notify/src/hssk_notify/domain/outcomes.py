"""The events notify publishes on notify.reminder.v1 for a task. Ids come from the task's id
(its dedupe key) and what happened, so a replay or a restart publishes the very same event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hssk_contracts.envelope import Envelope, derive_event_id
from hssk_contracts.events import (
    ReminderCompleted,
    ReminderData,
    ReminderDelivered,
    ReminderFailed,
    ReminderOutcomeData,
    ReminderScheduled,
    ReminderSent,
    ReminderSuppressed,
)
from hssk_notify.domain.messages import Channel
from hssk_notify.domain.tasks import Task

PRODUCER = "notify"
OUTCOMES: dict[str, type[Envelope]] = {
    "sent": ReminderSent,
    "delivered": ReminderDelivered,
    "failed": ReminderFailed,
    "suppressed": ReminderSuppressed,
}


def scheduled(task: Task, channel: Channel, message_vi: str, now: datetime) -> ReminderScheduled:
    """Planned (again, with a new due time, when the sending window deferred it)."""
    return ReminderScheduled.new(
        event_id=derive_event_id("reminder", task.id, "scheduled", task.due_at.isoformat()),
        producer=PRODUCER,
        key=task.person_id,
        occurred_at=now,
        data=ReminderData(
            reminder_id=task.id,
            person_id=task.person_id,
            kind=task.kind,
            due_at=task.due_at,
            channel=channel,
            message_vi=message_vi,
            cause_event_id=task.cause_event_id,
        ),
    )


def outcome(task: Task, now: datetime, provider_id: str | None = None):
    """The event for the task's final status (sent, delivered, failed or suppressed)."""
    last = task.attempts[-1] if task.attempts else None
    return OUTCOMES[task.status].new(
        # after an undelivered receipt the task is sent again: its next outcome is a new event
        event_id=derive_event_id(
            "reminder", task.id, task.status, task.reason or "", *task.undelivered
        ),
        producer=PRODUCER,
        key=task.person_id,
        occurred_at=now,
        data=_data(
            task,
            error=last.error if task.status == "failed" and last else None,
            provider_id=provider_id or (last.provider_id if last else None),
        ),
    )


def completed(task: Task, now: datetime) -> ReminderCompleted:
    """The citizen filled the item after this reminder was planned (its group: reminded or
    held out); once per task, whatever its final status."""
    last = task.attempts[-1] if task.attempts else None
    return ReminderCompleted.new(
        event_id=derive_event_id("reminder", task.id, "completed"),
        producer=PRODUCER,
        key=task.person_id,
        occurred_at=now,
        data=_data(
            task,
            provider_id=last.provider_id if last else None,
            status=task.status if task.final else None,
        ),
    )


def _data(task: Task, **more: Any) -> ReminderOutcomeData:
    return ReminderOutcomeData(
        reminder_id=task.id,
        person_id=task.person_id,
        kind=task.kind,
        campaign=task.campaign,
        channel=task.channel,
        reason=task.reason if task.status == "suppressed" else None,  # type: ignore[arg-type]
        attempts=len(task.attempts),
        cause_event_id=task.cause_event_id,
        group=task.group,
        ward_code=task.ward_code,
        **more,
    )
