"""Kafka entrypoint: records.change.v1 and records.contact.v1 bytes -> events -> handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec, topics
from hssk_contracts.events import ContactChanged, RecordChanged
from hssk_kit.bus import Inbound, Publish
from hssk_notify import handlers
from hssk_notify.stores import Stores


def record_consumer(
    *, stores: Stores, clock: Callable[[], datetime], link: str, wake: handlers.Wake
):
    async def handle(msg: Inbound, publish: Publish) -> None:
        if msg.topic == topics.RECORDS_CONTACT.name:
            contact = codec.decode_as(ContactChanged, msg.topic, msg.value)
            await handlers.on_contact_changed(contact, stores=stores, now=clock(), wake=wake)
            return
        event = codec.decode_as(RecordChanged, msg.topic, msg.value)
        await handlers.on_record_changed(
            event, stores=stores, publish=publish, now=clock(), link=link, wake=wake
        )

    return handle
