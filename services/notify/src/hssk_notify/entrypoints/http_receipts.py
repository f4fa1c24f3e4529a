"""HTTP entrypoint of the providers' delivery receipts (webhooks). A provider holds no platform
token: it signs the raw body with the shared secret instead, and a receipt whose signature
does not prove it (forged, altered, replayed after 5 minutes) is refused with 401 and changes
nothing. The signature is checked against the real time, not notify's settable test clock."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from hssk_kit.bus import Publish
from hssk_kit.http import error_response, problem_response, responses
from hssk_notify import metrics, receiving
from hssk_notify.clock import system_clock
from hssk_notify.domain import receipts
from hssk_notify.stores import Stores

log = logging.getLogger(__name__)
MAX_BODY = 16_384
SIGNATURE = "X-HSSK-Signature"
_TEXT = {"type": "string", "minLength": 1, "maxLength": 300}
RECEIPT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {
                        "title": "SMS delivery report",
                        "type": "object",
                        "required": ["request_id", "message_id", "status", "done_at"],
                        "properties": {
                            "request_id": {**_TEXT, "description": "our idempotency key"},
                            "message_id": _TEXT,
                            "status": {"enum": list(receipts.SMS_STATUSES)},
                            "done_at": {"type": "string", "format": "date-time"},
                        },
                    },
                    {
                        "title": "Zalo ZNS user_received_message",
                        "type": "object",
                        "required": ["event_name", "message"],
                        "properties": {
                            "event_name": {"const": "user_received_message"},
                            "message": {
                                "type": "object",
                                "required": ["tracking_id", "msg_id", "delivery_time"],
                                "properties": {
                                    "tracking_id": _TEXT,
                                    "msg_id": _TEXT,
                                    "delivery_time": {**_TEXT, "description": "ms since epoch"},
                                },
                            },
                        },
                    },
                ]
            },
            "example": {
                "request_id": "<task id>:sms",
                "message_id": "sms-1f2e3d",
                "status": "DELIVERED",
                "done_at": "2026-12-07T08:00:05+07:00",
            },
        }
    },
}


def router(
    *,
    secret: bytes,
    stores: Stores,
    publish: Publish,
    wake: Callable[[], None],
    clock: Callable[[], datetime],
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["receipts"])

    @api.post(
        "/receipts/{channel}",
        openapi_extra={"requestBody": RECEIPT_BODY},
        responses={
            **responses(415, 422),
            401: {"description": "the signature does not prove the provider sent this, now"},
            413: {"description": "a receipt is a few hundred bytes; this is far more"},
        },
    )
    async def receipt(
        channel: Annotated[str, Path(description="sms or zalo")],
        request: Request,
    ) -> Any:
        """A provider's delivery receipt for a message it accepted, signed with the shared
        secret (header `X-HSSK-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>`).
        Answers what it did: delivered, sent_again (undelivered: the next channel is tried),
        repeat, stale or unknown. Any 2xx ends the provider's retries."""
        label = channel if channel in receipts.WITH_RECEIPTS else "other"  # bounded labels
        body = await request.body()
        if len(body) > MAX_BODY:
            return error_response(413, "too_large", f"a receipt is at most {MAX_BODY} bytes")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return error_response(415, "unsupported_media_type", "a receipt is application/json")
        why = receipts.signature_refusal(
            secret, request.headers.get(SIGNATURE), body, system_clock()
        )
        if why is not None:
            metrics.RECEIPTS.labels(label, "refused_signature").inc()
            log.warning("receipt refused: %s", why, extra={"channel": channel})
            return error_response(401, "bad_signature", why)
        try:
            data = json.loads(body)
        except ValueError as exc:
            metrics.RECEIPTS.labels(label, "refused_body").inc()
            problem = {"field": "body", "rule": "json", "message": f"not JSON: {exc}"}
            return problem_response(422, "invalid_receipt", [problem])
        found = receipts.read(channel, data)
        if isinstance(found, list):
            metrics.RECEIPTS.labels(label, "refused_body").inc()
            return problem_response(422, "invalid_receipt", [asdict(p) for p in found])
        outcome = await receiving.on_receipt(
            found, stores=stores, publish=publish, wake=wake, now=clock()
        )
        return {"outcome": outcome}

    return api
