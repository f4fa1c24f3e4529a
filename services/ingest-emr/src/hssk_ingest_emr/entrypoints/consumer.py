"""Kafka entrypoint: bytes from a hospital topic -> canonical visit -> handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec
from hssk_contracts.events import Source, VisitSubmitted
from hssk_ingest_emr import handlers
from hssk_ingest_emr.ports import ReceiptStore
from hssk_kit.bus import Inbound, Publish


def visit_consumer(*, receipts_store: ReceiptStore, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        submitted = codec.decode_as(VisitSubmitted, msg.topic, msg.value)
        source = Source(format="json", topic=msg.topic, partition=msg.partition, offset=msg.offset)
        await handlers.on_visit(
            submitted.data, source, now=clock(), receipts_store=receipts_store, publish=publish
        )

    return handle
