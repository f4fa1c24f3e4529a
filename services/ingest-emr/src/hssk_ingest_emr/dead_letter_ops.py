"""Handlers for operators working dead letters: list, read one, replay it (the original bytes
after a code fix, or a corrected payload after the hospital's fix) through the very path a
Kafka message takes. Dead letters hold patients' data: each read and replay is audited, and
reaches the patient's own access log through the identifiers the message holds."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from hssk_contracts import text, topics
from hssk_contracts.codec import DecodeError, Problem
from hssk_ingest_emr import metrics
from hssk_ingest_emr.domain import fhir, qd130
from hssk_ingest_emr.domain.dead_letters import DeadLetter, matches
from hssk_ingest_emr.domain.patient_keys import keys_of_envelope
from hssk_ingest_emr.entrypoints.decoding import submit_bytes
from hssk_ingest_emr.ports import DeadLetterStore, ReceiptStore
from hssk_kit.audit import AuditEntry, AuditLog, Outcome
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish, Rejected


def patient_keys(letter: DeadLetter, now: datetime) -> tuple[str, ...]:
    """Whose data the dead letter holds, read as far as its bytes allow."""
    raw = base64.b64decode(letter.original_b64)
    if letter.source_topic == topics.EMR_VISIT_XML130.name:
        return qd130.parse_bundle(raw, received_at=now).patient_keys
    if letter.source_topic == topics.EMR_VISIT_FHIR.name:
        return fhir.parse_bundle(raw, received_at=now).patient_keys
    try:
        return keys_of_envelope(text.loads(raw))
    except DecodeError:
        return ()


async def _audit(
    audit: AuditLog,
    who: Principal,
    action: str,
    detail: str,
    keys: tuple[str, ...] = (),
    outcome: Outcome = "allowed",
) -> None:
    await audit.append(
        AuditEntry(
            actor=who.subject,
            role=who.role,
            action=action,
            person_id=None,
            purpose="dead-letter handling",
            outcome=outcome,
            detail=detail,
            match_keys=keys,
        )
    )


async def listed(
    who: Principal,
    *,
    facility: str | None,
    reason: str | None,
    since: datetime | None,
    until: datetime | None,
    status: str | None,
    limit: int,
    dead_letters: DeadLetterStore,
    audit: AuditLog,
) -> list[DeadLetter]:
    found = [
        d
        for d in await dead_letters.recent(facility, limit * 5)
        if matches(d, reason=reason, since=since, until=until, status=status)
    ][:limit]
    await _audit(audit, who, "dlq.list", f"facility={facility} reason={reason} n={len(found)}")
    return found


async def read(
    dlq_id: str, who: Principal, *, now: datetime, dead_letters: DeadLetterStore, audit: AuditLog
) -> DeadLetter | None:
    letter = await dead_letters.get(dlq_id)
    if letter is None:
        await _audit(audit, who, "dlq.read", dlq_id, outcome="not_found")
        return None
    await _audit(audit, who, "dlq.read", dlq_id, patient_keys(letter, now))
    return letter


@dataclass(frozen=True)
class Replayed:
    status: Literal["replayed", "still_rejected", "not_found", "already_replayed"]
    decision: str | None = None
    event_id: str | None = None
    problems: tuple[Problem, ...] = ()


async def replay(
    dlq_id: str,
    who: Principal,
    *,
    corrected: str | None,
    now: datetime,
    dead_letters: DeadLetterStore,
    receipts_store: ReceiptStore,
    publish: Publish,
    audit: AuditLog,
) -> Replayed:
    letter = await dead_letters.get(dlq_id)
    if letter is None or letter.status == "replayed":
        outcome: Outcome = "not_found" if letter is None else "denied"
        await _audit(audit, who, "dlq.replay", f"{dlq_id}: nothing to replay", outcome=outcome)
        return Replayed("not_found" if letter is None else "already_replayed")
    raw = corrected.encode() if corrected else base64.b64decode(letter.original_b64)
    step = {"at": now, "by": who.subject, "corrected": bool(corrected)}
    keys = patient_keys(letter, now)
    try:
        outcome_ = await submit_bytes(
            letter.source_topic,
            raw,
            source={
                "topic": letter.source_topic,
                "partition": letter.partition,
                "offset": letter.offset,
            },
            received_at=now,
            now=now,
            receipts_store=receipts_store,
            publish=publish,
        )
    except (Rejected, DecodeError) as exc:
        reasons = [p.__dict__ for p in exc.problems]
        history = [*letter.history, {**step, "reasons": reasons}]
        await dead_letters.save(replace(letter, status="still_rejected",
                                        attempt=letter.attempt + 1, history=history))  # fmt: skip
        await _audit(audit, who, "dlq.replay", f"{dlq_id}: still rejected", keys)
        metrics.REPLAYS.labels("still_rejected").inc()
        return Replayed("still_rejected", problems=tuple(exc.problems))
    done = {**step, "outcome": outcome_.decision, "event_id": outcome_.event_id}
    await dead_letters.save(replace(letter, status="replayed", attempt=letter.attempt + 1,
                                    history=[*letter.history, done]))  # fmt: skip
    await _audit(audit, who, "dlq.replay", f"{dlq_id}: {outcome_.decision}", keys)
    metrics.REPLAYS.labels("replayed").inc()
    return Replayed("replayed", outcome_.decision, outcome_.event_id)
