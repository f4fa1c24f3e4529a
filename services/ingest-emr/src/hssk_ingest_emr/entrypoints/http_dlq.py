"""HTTP entrypoint of dead letters for operators: list (by facility, reason, time, status), read
one, replay after a fix. Routes translate; the use cases (and their audit) are in
dead_letter_ops.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict

from hssk_contracts.codes import EntityId, FacilityCode, Instant
from hssk_ingest_emr import dead_letter_ops as ops
from hssk_ingest_emr.domain.dead_letters import DeadLetter
from hssk_ingest_emr.ports import DeadLetterStore, ReceiptStore
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish
from hssk_kit.guard import audited
from hssk_kit.http import problem_response, responses

Lister = Annotated[Principal, audited("operator", action="dlq.list")]
Reader = Annotated[Principal, audited("operator", action="dlq.read")]
Replayer = Annotated[Principal, audited("operator", action="dlq.replay")]
LetterId = Annotated[EntityId, Path()]
Status = Literal["open", "replayed", "still_rejected"]


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    corrected_payload: str | None = None  # the fixed message, as text (JSON or XML)


def _summary(d: DeadLetter) -> dict[str, Any]:
    out = asdict(d)
    out.pop("original_b64")
    return out


def _not_found(dlq_id: str) -> HTTPException:
    return HTTPException(404, detail={"error": "not_found", "message": f"no dead letter {dlq_id}"})


def router(
    *,
    dead_letters: DeadLetterStore,
    receipts_store: ReceiptStore,
    publish: Publish,
    audit: AuditLog,
    clock: Callable[[], datetime],
) -> APIRouter:
    api = APIRouter(prefix="/v1/dlq", tags=["dead letters"])

    @api.get("")
    async def list_dead_letters(
        who: Lister,
        facility: FacilityCode | None = None,
        reason: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z0-9_]+$")] = None,
        since: Instant | None = None,
        until: Instant | None = None,
        status: Status | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        """Dead letters, newest first, without their original bytes."""
        found = await ops.listed(
            who,
            facility=facility,
            reason=reason,
            since=since,
            until=until,
            status=status,
            limit=limit,
            dead_letters=dead_letters,
            audit=audit,
        )
        return {"count": len(found), "items": [_summary(d) for d in found]}

    @api.get("/{dlq_id}", responses=responses(404))
    async def read_dead_letter(dlq_id: LetterId, who: Reader) -> dict[str, Any]:
        """One dead letter with its original bytes (base64) and its replay history."""
        letter = await ops.read(dlq_id, who, now=clock(), dead_letters=dead_letters, audit=audit)
        if letter is None:
            raise _not_found(dlq_id)
        return asdict(letter)

    @api.post("/{dlq_id}/replay", responses=responses(404, 409, 422))
    async def replay(dlq_id: LetterId, who: Replayer, body: Replay | None = None) -> Any:
        """Send the letter through ingest again: as it was (after a code fix), or corrected."""
        done = await ops.replay(
            dlq_id,
            who,
            corrected=body.corrected_payload if body else None,
            now=clock(),
            dead_letters=dead_letters,
            receipts_store=receipts_store,
            publish=publish,
            audit=audit,
        )
        if done.status == "not_found":
            raise _not_found(dlq_id)
        if done.status == "already_replayed":
            message = f"{dlq_id} was replayed already"
            raise HTTPException(409, detail={"error": "already_replayed", "message": message})
        if done.status == "still_rejected":
            return problem_response(422, "still_rejected", done.problems)
        return {"dlq_id": dlq_id, "status": "replayed", "decision": done.decision,
                "event_id": done.event_id}  # fmt: skip

    return api
