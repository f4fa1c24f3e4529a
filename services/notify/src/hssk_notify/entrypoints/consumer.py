"""Kafka entrypoint: records.change.v1 bytes -> RecordChanged -> handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec
from hssk_contracts.events import RecordChanged
from hssk_kit.bus import Inbound, Publish
from hssk_notify import handlers
from hssk_notify.ports import ReminderStore


def record_change_consumer(*, reminders: ReminderStore, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        event = codec.decode_as(RecordChanged, msg.topic, msg.value)
        await handlers.on_record_changed(
            event,
            reminders=reminders,
            publish=publish,
            now=clock(),
        )

    return handle
