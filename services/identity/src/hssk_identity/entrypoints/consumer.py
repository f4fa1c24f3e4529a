"""Kafka entrypoint: emr.visit.accepted.v1 bytes -> VisitAccepted -> handler."""

from __future__ import annotations

from hssk_contracts import codec
from hssk_contracts.events import VisitAccepted
from hssk_identity import handlers
from hssk_identity.ports import PersonRepository
from hssk_kit.bus import Inbound, Publish


def accepted_visit_consumer(*, persons: PersonRepository):
    async def handle(msg: Inbound, publish: Publish) -> None:
        event = codec.decode_as(VisitAccepted, msg.topic, msg.value)
        await handlers.on_visit_accepted(event, persons=persons, publish=publish)

    return handle
