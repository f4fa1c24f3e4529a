"""HTTP entrypoint: POST /v1/visits for hospitals that cannot run a Kafka producer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from hssk_contracts.events import Source, VisitWarning
from hssk_contracts.visit import Visit
from hssk_ingest_emr import handlers
from hssk_ingest_emr.ports import ReceiptStore
from hssk_kit.auth import Principal, require_roles
from hssk_kit.bus import Publish, Rejected
from hssk_kit.http import problem_response

Hospital = Annotated[Principal, require_roles("hospital")]


class VisitReceipt(BaseModel):
    status: ReceiptStatus
    event_id: str
    visit_key: str
    warnings: list[VisitWarning]


ReceiptStatus = Literal["accepted", "corrected", "duplicate", "stale"]
STATUS: dict[str, ReceiptStatus] = {
    "new": "accepted",
    "correction": "corrected",
    "duplicate": "duplicate",
    "stale": "stale",
}


def router(
    *, receipts_store: ReceiptStore, publish: Publish, clock: Callable[[], datetime]
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["visits"])

    @api.post(
        "/visits",
        status_code=202,
        response_model=VisitReceipt,
        responses={422: {"description": "rejected: each problem names field, rule, value"}},
    )
    async def submit_visit(visit: Visit, hospital: Hospital):
        if visit.facility_code != hospital.facility:
            raise HTTPException(
                403,
                detail={
                    "error": "forbidden",
                    "message": f"token is for facility {hospital.facility}, "
                    f"visit is from {visit.facility_code}",
                },
            )
        try:
            outcome = await handlers.on_visit(
                visit,
                Source(format="http-json"),
                now=clock(),
                receipts_store=receipts_store,
                publish=publish,
            )
        except Rejected as exc:
            return problem_response(
                422,
                "visit_rejected",
                [
                    {"field": p.field, "rule": p.rule, "message": p.message, "value": p.value}
                    for p in exc.problems
                ],
            )
        return VisitReceipt(
            status=STATUS[outcome.decision],
            event_id=outcome.event_id,
            visit_key=visit.key,
            warnings=outcome.warnings,
        )

    return api
