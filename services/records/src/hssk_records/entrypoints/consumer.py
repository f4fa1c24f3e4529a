"""Kafka entrypoint: resolved visits and person merges, bytes -> contract event -> handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec, topics
from hssk_contracts.events import VisitResolved
from hssk_kit.bus import Inbound, Publish
from hssk_records import handlers
from hssk_records.ports import RecordRepository

TOPICS = [topics.RECORDS_VISIT, topics.IDENTITY_PERSON]


def records_consumer(*, records: RecordRepository, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        if msg.topic == topics.IDENTITY_PERSON.name:
            person_event = codec.decode(msg.topic, msg.value)
            await handlers.on_person_event(
                person_event, records=records, publish=publish, now=clock()
            )
            return
        event = codec.decode_as(VisitResolved, msg.topic, msg.value)
        await handlers.on_visit_resolved(event, records=records, publish=publish, now=clock())

    return handle
