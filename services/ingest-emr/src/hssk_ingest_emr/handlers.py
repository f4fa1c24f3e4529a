"""One handler per incoming visit, whatever entrypoint (Kafka topic or HTTP) it came through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import Source, VisitAccepted, VisitAcceptedData, VisitWarning
from hssk_contracts.visit import Visit
from hssk_ingest_emr import metrics
from hssk_ingest_emr.domain import receipts, sensitive, validation
from hssk_ingest_emr.ports import ReceiptStore
from hssk_kit.bus import Publish, Rejected

PRODUCER = "ingest-emr"


@dataclass(frozen=True)
class Outcome:
    decision: receipts.Decision
    event_id: str
    warnings: list[VisitWarning]


async def on_visit(
    visit: Visit,
    source: Source,
    *,
    now: datetime,
    receipts_store: ReceiptStore,
    publish: Publish,
    parser_warnings: Sequence[tuple[str, str, str]] = (),
    sensitive_tables: Mapping[str, int] | None = None,
) -> Outcome:
    problems, warnings = validation.validate(visit, now)
    if problems:
        metrics.VISITS.labels(source.format, "rejected").inc()
        raise Rejected(problems, facility_code=visit.facility_code)
    visit, removed = sensitive.strip_sensitive(visit)
    kept_apart = {**(sensitive_tables or {}), **({"ICD10": removed} if removed else {})}
    for table, count in kept_apart.items():
        metrics.SENSITIVE.labels(table).inc(count)
    warnings = _unique(
        [*warnings, *(VisitWarning(field=f, rule=r, message=m) for f, r, m in parser_warnings)]
    )
    digest = receipts.content_hash(visit)
    last = await receipts_store.get(visit.key)
    decision = receipts.decide(last, visit.revision, visit.sent_at, digest)
    metrics.VISITS.labels(source.format, decision).inc()
    if decision in ("duplicate", "stale"):
        assert last is not None
        return Outcome(decision, last.event_id, warnings)
    event_id = derive_event_id("visit-accepted", visit.key, str(visit.revision), digest)
    event = VisitAccepted.new(
        event_id=event_id,
        producer=PRODUCER,
        key=visit.key,
        data=VisitAcceptedData(visit=visit, source=source, content_hash=digest, warnings=warnings),
    )
    await publish(topics.EMR_VISIT_ACCEPTED, event)
    # Only after the broker has the event: a crash before this line re-publishes the same event.
    await receipts_store.put(
        receipts.Receipt(visit.key, visit.revision, visit.sent_at, digest, event_id)
    )
    for w in warnings:
        metrics.WARNINGS.labels(w.rule).inc()
    return Outcome(decision, event_id, warnings)


def _unique(warnings: list[VisitWarning]) -> list[VisitWarning]:
    """Parsers and validation may both notice the same thing: say it once."""
    seen: dict[tuple[str, str], VisitWarning] = {}
    for w in warnings:
        seen.setdefault((w.field, w.rule), w)
    return list(seen.values())
