"""Kafka entrypoint: whatever a hospital sends (canonical JSON, QĐ 130 XML, FHIR R4), decoded to
one canonical visit and handed to the same handler. Undecodable input is rejected with every
problem, the facility it came from when known, and goes to the dead-letter topic."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from hssk_contracts import codec, topics
from hssk_contracts.events import Source, VisitSubmitted
from hssk_ingest_emr import handlers
from hssk_ingest_emr.domain import fhir, qd130
from hssk_ingest_emr.ports import ReceiptStore
from hssk_kit.bus import Inbound, Publish, Rejected

TOPICS = [topics.EMR_VISIT, topics.EMR_VISIT_XML130, topics.EMR_VISIT_FHIR]
PARSERS = {
    topics.EMR_VISIT_XML130.name: ("qd130-xml", qd130.parse_bundle),
    topics.EMR_VISIT_FHIR.name: ("fhir-r4", fhir.parse_bundle),
}


def visit_consumer(*, receipts_store: ReceiptStore, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        source_of = dict(topic=msg.topic, partition=msg.partition, offset=msg.offset)
        if msg.topic not in PARSERS:
            submitted = codec.decode_as(VisitSubmitted, msg.topic, msg.value)
            unknown = codec.unknown_fields(VisitSubmitted, json.loads(msg.value))
            if unknown:
                raise Rejected(unknown, facility_code=submitted.data.facility_code)
            await handlers.on_visit(
                submitted.data,
                Source(format="json", **source_of),
                now=clock(),
                receipts_store=receipts_store,
                publish=publish,
            )
            return
        fmt, parse = PARSERS[msg.topic]
        parsed = parse(msg.value, received_at=datetime.fromtimestamp(msg.timestamp_ms / 1000, UTC))
        if parsed.problems or parsed.visit is None:
            raise Rejected(parsed.problems, facility_code=parsed.facility_code)
        await handlers.on_visit(
            parsed.visit,
            Source(format=fmt, **source_of),
            now=clock(),
            receipts_store=receipts_store,
            publish=publish,
            parser_warnings=parsed.warnings,
            sensitive_tables=parsed.sensitive_tables,
        )

    return handle
