"""Dead letters for operators: list (by facility, reason, time, status), read one, replay after a
fix (the original bytes, or a corrected payload). Dead letters hold health data: every read and
replay is audited."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict

from hssk_contracts.codec import DecodeError
from hssk_ingest_emr import metrics
from hssk_ingest_emr.domain.dead_letters import DeadLetter, matches
from hssk_ingest_emr.entrypoints.decoding import submit_bytes
from hssk_ingest_emr.ports import DeadLetterStore, ReceiptStore
from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal, require_roles
from hssk_kit.bus import Publish, Rejected
from hssk_kit.http import problem_response

Operator = Annotated[Principal, require_roles("operator")]


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    corrected_payload: str | None = None  # the fixed message, as text (JSON or XML)


def _summary(d: DeadLetter) -> dict[str, Any]:
    out = asdict(d)
    out.pop("original_b64")
    return out


def router(
    *,
    dead_letters: DeadLetterStore,
    receipts_store: ReceiptStore,
    publish: Publish,
    audit: AuditLog,
    clock: Callable[[], datetime],
) -> APIRouter:
    api = APIRouter(prefix="/v1/dlq", tags=["dead letters"])

    async def audited(who: Principal, action: str, detail: str) -> None:
        await audit.append(
            AuditEntry(
                actor=who.subject,
                role=who.role,
                action=action,
                person_id=None,
                purpose="dead-letter handling",
                outcome="allowed",
                detail=detail,
            )
        )

    @api.get("")
    async def list_dead_letters(
        who: Operator,
        facility: str | None = None,
        reason: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        found = [
            d
            for d in await dead_letters.recent(facility, limit * 5)
            if matches(d, reason=reason, since=since, until=until, status=status)
        ][:limit]
        await audited(who, "dlq.list", f"facility={facility} reason={reason} n={len(found)}")
        return {"count": len(found), "items": [_summary(d) for d in found]}

    @api.get("/{dlq_id}")
    async def read_dead_letter(dlq_id: str, who: Operator) -> dict[str, Any]:
        letter = await dead_letters.get(dlq_id)
        if letter is None:
            raise HTTPException(404, detail={"error": "not_found", "message": f"no {dlq_id}"})
        await audited(who, "dlq.read", dlq_id)
        return asdict(letter)

    @api.post("/{dlq_id}/replay")
    async def replay(dlq_id: str, who: Operator, body: Replay | None = None) -> Any:
        letter = await dead_letters.get(dlq_id)
        if letter is None:
            raise HTTPException(404, detail={"error": "not_found", "message": f"no {dlq_id}"})
        if letter.status == "replayed":
            raise HTTPException(
                409,
                detail={"error": "already_replayed", "message": f"{dlq_id} was replayed already"},
            )
        raw = (
            body.corrected_payload.encode()
            if body and body.corrected_payload
            else base64.b64decode(letter.original_b64)
        )
        step = {
            "at": clock(),
            "by": who.subject,
            "corrected": bool(body and body.corrected_payload),
        }
        try:
            outcome = await submit_bytes(
                letter.source_topic,
                raw,
                source={
                    "topic": letter.source_topic,
                    "partition": letter.partition,
                    "offset": letter.offset,
                },
                received_at=clock(),
                now=clock(),
                receipts_store=receipts_store,
                publish=publish,
            )
        except (Rejected, DecodeError) as exc:
            problems = [
                {"field": p.field, "rule": p.rule, "message": p.message, "value": p.value}
                for p in exc.problems
            ]
            await dead_letters.save(
                replace(
                    letter,
                    status="still_rejected",
                    attempt=letter.attempt + 1,
                    history=[*letter.history, {**step, "reasons": problems}],
                )
            )
            await audited(who, "dlq.replay", f"{dlq_id}: still rejected")
            metrics.REPLAYS.labels("still_rejected").inc()
            return problem_response(422, "still_rejected", problems)
        await dead_letters.save(
            replace(
                letter,
                status="replayed",
                attempt=letter.attempt + 1,
                history=[
                    *letter.history,
                    {**step, "outcome": outcome.decision, "event_id": outcome.event_id},
                ],
            )
        )
        await audited(who, "dlq.replay", f"{dlq_id}: {outcome.decision}")
        metrics.REPLAYS.labels("replayed").inc()
        return {
            "dlq_id": dlq_id,
            "status": "replayed",
            "decision": outcome.decision,
            "event_id": outcome.event_id,
        }

    return api
