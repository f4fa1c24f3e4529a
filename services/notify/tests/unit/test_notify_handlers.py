"""handlers.on_record_changed with the in-memory reminder store and a recording publish."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    Appointment,
    Completeness,
    RecordChanged,
    RecordChangedData,
    ReminderScheduled,
)
from hssk_notify.adapters.memory import InMemoryReminderStore
from hssk_notify.handlers import on_record_changed

PID = "person-0001"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def record_changed(
    version: int = 1,
    missing: tuple[str, ...] = ("blood_group", "height"),
    appointment: date | None = date(2026, 12, 1),
) -> RecordChanged:
    data = RecordChangedData(
        person_id=PID,
        version=version,
        change="visit_added",
        visit_key="01001:LK1",
        cause_event_id=f"cause-{version:08d}",
        completeness=Completeness(filled=46 - len(missing), total=46, missing=list(missing)),
        appointments=[Appointment(date=appointment, facility_code="01001", visit_key="01001:LK1")]
        if appointment
        else [],
    )
    return RecordChanged.new(
        event_id=derive_event_id("record-changed", str(version)),
        producer="records",
        key=PID,
        data=data,
        occurred_at=NOW,
    )


@pytest.fixture
def store() -> InMemoryReminderStore:
    return InMemoryReminderStore()


async def handle(event, store, publish, now=NOW) -> int:
    return await on_record_changed(event, reminders=store, publish=publish, now=now)


async def test_schedules_each_reminder_once_and_remembers_it(store, publish):
    event = record_changed()

    assert await handle(event, store, publish) == 2

    assert [t for t, _ in publish.sent] == [topics.NOTIFY_REMINDER] * 2
    sent = [e for _, e in publish.sent]
    assert all(isinstance(e, ReminderScheduled) and e.key == PID for e in sent)
    ids = [e.data.reminder_id for e in sent]
    assert ids == [f"{PID}:incomplete_profile:2026-W47", f"{PID}:appointment:2026-12-01:01001"]
    assert [e.event_id for e in sent] == [derive_event_id("reminder", i) for i in ids]
    assert all(e.data.cause_event_id == event.event_id for e in sent)
    assert sent[1].data.due_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert sorted(r.reminder_id for r in await store.for_person(PID)) == sorted(ids)


async def test_the_same_change_again_schedules_nothing(store, publish):
    event = record_changed()
    await handle(event, store, publish)
    publish.clear()

    assert await handle(event, store, publish, now=NOW + timedelta(minutes=1)) == 0
    assert publish.sent == []


async def test_a_later_change_in_the_same_week_only_adds_what_is_new(store, publish):
    await handle(record_changed(version=1), store, publish)
    publish.clear()

    later = record_changed(version=2, missing=("phone",), appointment=date(2026, 12, 8))
    assert await handle(later, store, publish, now=NOW + timedelta(days=1)) == 1

    ((_, event),) = publish.sent
    assert event.data.reminder_id == f"{PID}:appointment:2026-12-08:01001"


async def test_next_week_the_incomplete_profile_is_reminded_again(store, publish):
    await handle(record_changed(appointment=None), store, publish)
    publish.clear()

    assert (
        await handle(
            record_changed(version=2, appointment=None), store, publish, now=NOW + timedelta(days=7)
        )
        == 1
    )
    assert publish.sent[0][1].data.reminder_id == f"{PID}:incomplete_profile:2026-W48"


async def test_complete_record_without_appointments_schedules_nothing(store, publish):
    assert await handle(record_changed(missing=(), appointment=None), store, publish) == 0
    assert publish.sent == []
    assert await store.for_person(PID) == []
