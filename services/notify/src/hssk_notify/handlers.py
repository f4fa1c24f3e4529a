"""Handlers: a record change becomes the reminders the policy asks for, each scheduled once."""

from __future__ import annotations

from datetime import datetime

from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import RecordChanged, ReminderData, ReminderScheduled
from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish
from hssk_notify import metrics
from hssk_notify.domain.policy import Reminder, reminders_for
from hssk_notify.ports import ReminderStore

PRODUCER = "notify"


async def on_record_changed(
    event: RecordChanged, *, reminders: ReminderStore, publish: Publish, now: datetime
) -> int:
    scheduled = 0
    for r in reminders_for(event.data, now):
        if await reminders.has(r.person_id, r.reminder_id):
            continue
        await publish(
            topics.NOTIFY_REMINDER,
            ReminderScheduled.new(
                event_id=derive_event_id("reminder", r.reminder_id),
                producer=PRODUCER,
                key=r.person_id,
                occurred_at=now,
                data=ReminderData(
                    reminder_id=r.reminder_id,
                    person_id=r.person_id,
                    kind=r.kind,  # type: ignore[arg-type]
                    due_at=r.due_at,
                    channel=r.channel,
                    message_vi=r.message_vi,  # type: ignore[arg-type]
                    cause_event_id=event.event_id,
                ),
            ),
        )
        await reminders.add(r)  # after the broker has it: a crash in between re-publishes
        metrics.REMINDERS.labels(r.kind).inc()
        scheduled += 1
    return scheduled


async def reminders_of(
    person_id: str, who: Principal, *, reminders: ReminderStore, audit: AuditLog
) -> list[Reminder] | None:
    """The person's reminders, soonest first; None (audited as denied) for another citizen's."""
    allowed = who.role == "operator" or who.person_id == person_id
    await audit.append(
        AuditEntry(
            actor=who.subject,
            role=who.role,
            action="reminders.read",
            person_id=person_id,
            purpose="reminders",
            outcome="allowed" if allowed else "denied",
        )
    )
    if not allowed:
        return None
    return sorted(await reminders.for_person(person_id), key=lambda r: r.due_at)
