"""Kafka entrypoint: records.visit.v1 bytes -> VisitResolved -> handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec
from hssk_contracts.events import VisitResolved
from hssk_kit.bus import Inbound, Publish
from hssk_records import handlers
from hssk_records.ports import RecordRepository


def resolved_visit_consumer(*, records: RecordRepository, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        event = codec.decode_as(VisitResolved, msg.topic, msg.value)
        await handlers.on_visit_resolved(
            event,
            records=records,
            publish=publish,
            now=clock(),
        )

    return handle
