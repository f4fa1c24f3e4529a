"""Kafka entrypoint: emr.visit.accepted.v1 bytes -> VisitAccepted -> handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec
from hssk_contracts.events import VisitAccepted
from hssk_identity import handlers
from hssk_kit.bus import Inbound, Publish


def accepted_visit_consumer(*, index: handlers.Index, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        event = codec.decode_as(VisitAccepted, msg.topic, msg.value)
        await handlers.on_visit_accepted(event, now=clock(), index=index, publish=publish)

    return handle
