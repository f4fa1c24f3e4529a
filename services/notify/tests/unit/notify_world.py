"""A world that runs notify's use cases over in-memory stores, fake channels and a clock the
test sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    Appointment,
    Completeness,
    ContactChanged,
    ContactData,
    RecordChanged,
    RecordChangedData,
)
from hssk_kit.fakes import RecordingPublish
from hssk_notify import dispatching, handlers, receiving
from hssk_notify.adapters.memory import in_memory_stores
from hssk_notify.domain.decisions import Rules
from hssk_notify.domain.messages import Channel, ErrorClass, Message, Receipt
from hssk_notify.domain.receipts import Report
from hssk_notify.domain.window import VN
from hssk_notify.scheduler import Scheduler

PID = "11111111-1111-5111-8111-111111111111"
LINK = "https://hssk.vn/me"


def vn(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN).astimezone(UTC)


@dataclass
class FakeSender:
    """A channel that accepts, or refuses with an error class, and remembers what it was sent."""

    channel: Channel
    refuse: ErrorClass | None = None
    refuse_unicode: bool = False
    sent: list[Message] = field(default_factory=list)

    async def send(self, message: Message) -> Receipt:
        self.sent.append(message)
        if self.refuse_unicode and message.unicode:
            return Receipt(accepted=False, error="rejected_content")
        if self.refuse:
            return Receipt(accepted=False, error=self.refuse)
        return Receipt(accepted=True, provider_id=f"{self.channel}-{len(self.sent)}")


class World:
    """notify's use cases over in-memory stores, fake channels and a settable clock."""

    def __init__(self, publish: RecordingPublish, holdout: float = 0.0):
        self.publish, self.stores = publish, in_memory_stores()
        self.now = vn(2026, 12, 7, 10)
        self.senders = {c: FakeSender(c) for c in ("app", "zalo", "sms", "email")}
        self.channels = dispatching.Channels(
            senders=self.senders, link=LINK, rules=Rules(holdout_share=holdout)
        )
        self.version: dict[str, int] = {}
        self.scheduler = Scheduler(
            stores=self.stores,
            dispatch=lambda task_id, now: dispatching.dispatch(
                task_id, stores=self.stores, channels=self.channels, publish=publish, now=now
            ),
            schedule=lambda state, tasks, now, index_due=True: handlers.schedule(
                state, tasks, self.stores, publish, now, LINK, lambda: None, index_due=index_due
            ),
            clock=lambda: self.now,
        )

    async def change(self, person: str = PID, *, missing=("blood_group",), best="blood_group",
                     appointments=(), change="self_declared", visit_key=None, ward="26734",
                     at: datetime | None = None) -> int:  # fmt: skip
        self.version[person] = self.version.get(person, 0) + 1
        event = record_changed(person, self.version[person], list(missing), best, appointments,
                               change, visit_key, ward, at or self.now)  # fmt: skip
        return await handlers.on_record_changed(
            event, stores=self.stores, publish=self.publish, now=self.now, link=LINK,
            wake=lambda: None)  # fmt: skip

    async def replay(self, event: RecordChanged) -> int:
        return await handlers.on_record_changed(
            event, stores=self.stores, publish=self.publish, now=self.now, link=LINK,
            wake=lambda: None)  # fmt: skip

    async def contact(self, person: str = PID, phone: str | None = "0912345678", ward="26734"):
        event = ContactChanged.new(
            event_id=derive_event_id("contact", person, str(phone)),
            producer="records",
            key=person,
            data=ContactData(person_id=person, phone=phone, ward_code=ward),
        )
        await handlers.on_contact_changed(
            event, stores=self.stores, now=self.now, wake=lambda: None
        )

    async def tick(self, at: datetime | None = None) -> int:
        if at is not None:
            self.now = at
        done = 0
        for _ in range(10):  # as the scheduler's ticks would, a second apart: catch up
            done += await self.scheduler.dispatch_due(self.now)
        return done

    async def receipt(self, message: Message, *, delivered: bool = True) -> str:
        """The provider reports what became of `message` (an SMS delivery report)."""
        report = Report(message.channel, message.key, f"{message.channel}-id", delivered,
                        None if delivered else "expired", self.now)  # fmt: skip
        return await receiving.on_receipt(
            report, stores=self.stores, publish=self.publish, wake=lambda: None, now=self.now
        )

    def events(self, kind: str | None = None) -> list[Any]:
        return [e for t, e in self.publish.sent
                if t == topics.NOTIFY_REMINDER and (kind is None or e.type == kind)]  # fmt: skip

    def messages(self) -> list[Message]:
        return [m for s in self.senders.values() for m in s.sent]


def record_changed(person, version, missing, best, appointments, change, visit_key, ward, at):
    return RecordChanged.new(
        event_id=derive_event_id("record-changed", person, str(version)),
        producer="records",
        key=person,
        occurred_at=at,
        data=RecordChangedData(
            person_id=person,
            version=version,
            change=change,
            visit_key=visit_key,
            cause_event_id=f"cause-{version}",
            completeness=Completeness(
                filled=46 - len(missing), total=46, missing=list(missing), best_next=best
            ),
            appointments=[
                Appointment(date=d, facility_code=f, visit_key=f"{f}:LK") for d, f in appointments
            ],
            ward_code=ward,
            sections=["identity", "encounters"],  # as a visit's change: contact details follow
        ),
    )


def day(y: int, m: int, d: int) -> date:
    return date(y, m, d)
