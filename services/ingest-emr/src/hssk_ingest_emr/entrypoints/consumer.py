"""Kafka entrypoint: the three hospital topics, each message decoded and handled as one visit,
except a QĐ 130 file of several HOSO (a day's batch), each of whose visits is handled on its
own. Refused input raises, and the consumer loop dead-letters it with every reason; a refused
visit of such a file is dead-lettered here, alone, and the file's other visits go on."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from hssk_contracts import topics
from hssk_contracts.codec import DecodeError
from hssk_contracts.events import VisitRejected
from hssk_ingest_emr import metrics
from hssk_ingest_emr.domain import qd130
from hssk_ingest_emr.domain.dead_letters import DeadLetter
from hssk_ingest_emr.entrypoints.decoding import TOPICS, submit_bytes
from hssk_ingest_emr.ports import DeadLetterStore, ReceiptStore
from hssk_kit import bus
from hssk_kit.bus import Inbound, Publish, Rejected

__all__ = ["TOPICS", "keep_dead_letters", "visit_consumer"]


FACILITY_KEY = re.compile(rb"^(\d{5}):")


def visit_consumer(
    *, receipts_store: ReceiptStore, clock: Callable[[], datetime], dead_letter: bus.DeadLetter
):
    async def handle(msg: Inbound, publish: Publish) -> None:
        parts = qd130.split(msg.value) if msg.topic == topics.EMR_VISIT_XML130.name else []
        if len(parts) < 2:
            try:
                await _submit(msg, publish)
            except (DecodeError, Rejected) as exc:
                raise Rejected(exc.problems, facility_code=_facility(exc, msg)) from None
            return
        for index, value in enumerate(parts):  # in file order; each visit stands alone
            part = replace(msg, value=value)
            try:
                await _submit(part, publish)
            except (DecodeError, Rejected) as exc:
                facility = _facility(exc, msg)
                await dead_letter(part, exc.problems, 1, publish, facility, part=index)
                metrics.PARTS_REJECTED.inc()

    async def _submit(msg: Inbound, publish: Publish) -> None:
        await submit_bytes(
            msg.topic,
            msg.value,
            source={"topic": msg.topic, "partition": msg.partition, "offset": msg.offset},
            received_at=datetime.fromtimestamp(msg.timestamp_ms / 1000, UTC),
            now=clock(),
            receipts_store=receipts_store,
            publish=publish,
        )

    return handle


def _facility(exc: DecodeError | Rejected, msg: Inbound) -> str | None:
    facility = exc.facility_code if isinstance(exc, Rejected) else None
    if facility is None and (found := FACILITY_KEY.match(msg.key or b"")):
        facility = found.group(1).decode()  # the key names the sender: "01001:<MA_LK>"
    return facility


def keep_dead_letters(store: DeadLetterStore):
    """Keep each published dead letter for operators to list and replay."""

    async def keep(event) -> None:
        assert isinstance(event, VisitRejected)
        d = event.data
        await store.add(
            DeadLetter(
                dlq_id=event.event_id,
                source_topic=d.source_topic,
                source_key=d.source_key,
                partition=d.partition,
                offset=d.offset,
                facility_code=d.facility_code,
                reasons=[r.model_dump() for r in d.reasons],
                original_b64=d.original_b64,
                rejected_at=event.occurred_at,
                attempt=d.attempt,
                part=d.part,
            )
        )

    return keep
