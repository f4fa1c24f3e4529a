"""Bytes as a hospital sent them -> one canonical visit -> the handler. Shared by the Kafka
consumer and by dead-letter replay, so a replayed message takes exactly the original path."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from hssk_contracts import codec, topics
from hssk_contracts.events import Source, SourceFormat, VisitSubmitted
from hssk_ingest_emr import handlers
from hssk_ingest_emr.domain import fhir, qd130
from hssk_ingest_emr.domain.parsed import Parsed
from hssk_ingest_emr.ports import ReceiptStore
from hssk_kit.bus import Publish, Rejected

TOPICS = [topics.EMR_VISIT, topics.EMR_VISIT_XML130, topics.EMR_VISIT_FHIR]
PARSERS: dict[str, tuple[SourceFormat, Callable[..., Parsed]]] = {
    topics.EMR_VISIT_XML130.name: ("qd130-xml", qd130.parse_bundle),
    topics.EMR_VISIT_FHIR.name: ("fhir-r4", fhir.parse_bundle),
}


async def submit_bytes(
    topic: str,
    raw: bytes,
    *,
    source: dict,
    received_at: datetime,
    now: datetime,
    receipts_store: ReceiptStore,
    publish: Publish,
) -> handlers.Outcome:
    """Raises DecodeError or Rejected (with the facility when known) for input it refuses."""
    if topic not in PARSERS:
        submitted = codec.decode_as(VisitSubmitted, topic, raw)
        unknown = codec.unknown_fields(VisitSubmitted, json.loads(raw))
        if unknown:
            raise Rejected(unknown, facility_code=submitted.data.facility_code)
        return await handlers.on_visit(
            submitted.data,
            Source(format="json", **source),
            now=now,
            receipts_store=receipts_store,
            publish=publish,
        )
    fmt, parse = PARSERS[topic]
    parsed = parse(raw, received_at=received_at)
    if parsed.problems or parsed.visit is None:
        raise Rejected(parsed.problems, facility_code=parsed.facility_code)
    return await handlers.on_visit(
        parsed.visit,
        Source(format=fmt, **source),
        now=now,
        receipts_store=receipts_store,
        publish=publish,
        parser_warnings=parsed.warnings,
        sensitive_tables=parsed.sensitive_tables,
    )
