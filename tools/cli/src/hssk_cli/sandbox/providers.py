"""The sandbox's fake SMS brandname gateway, Zalo ZNS and app push (one FastAPI app), speaking
the wire shapes documented in hssk_notify.adapters.channels.providers, plus its control routes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hssk_cli.sandbox.state import Fault, Record, Sandbox

# How each provider words a refusal (the adapters' code tables read these back).
REFUSALS: dict[str, dict[str, Any]] = {
    "sms": {
        "user_inactive": "PHONE_BLOCKED",
        "invalid_recipient": "PHONE_INVALID",
        "rejected_content": "CONTENT_REJECTED",
        "rejected_unicode": "UNICODE_NOT_ALLOWED",
    },
    "zalo": {"user_inactive": -118, "invalid_recipient": -108, "rejected_content": -112},
    "app": {
        "user_inactive": "UNREGISTERED",
        "invalid_recipient": "INVALID_TOKEN",
        "rejected_content": "INVALID_PAYLOAD",
    },
}
INACTIVE_SUFFIX = "0000"  # ZNS: a phone ending so has no Zalo account (-118), always


class SmsIn(BaseModel):
    request_id: str
    phone: str
    content: str
    unicode: bool = True


class ZnsIn(BaseModel):
    tracking_id: str
    phone: str
    template_id: str
    template_data: dict[str, str]


class PushIn(BaseModel):
    token: str
    title: str = ""
    body: str


def accepted(channel: str, provider_id: str) -> Record:
    if channel == "sms":
        return {"code": "OK", "message_id": provider_id}
    if channel == "zalo":
        return {"error": 0, "message": "Success", "data": {"msg_id": provider_id}}
    return {"name": f"messages/{provider_id}"}


async def failure(channel: str, fault: Fault) -> JSONResponse:
    if fault.error == "timeout":
        await asyncio.sleep(fault.delay_s)
        return JSONResponse({"error": "gateway timeout"}, status_code=504)
    if fault.error in ("unavailable", "rate_limited"):
        wait = fault.retry_after_s or (1.0 if fault.error == "rate_limited" else None)
        headers = {"Retry-After": f"{wait:g}"} if wait is not None else {}
        status = 429 if fault.error == "rate_limited" else 503
        return JSONResponse({"error": fault.error}, status_code=status, headers=headers)
    code = REFUSALS[channel].get(fault.error, REFUSALS[channel]["rejected_content"])
    if channel == "sms":
        return JSONResponse({"code": code, "message": fault.error})
    if channel == "zalo":
        return JSONResponse({"error": code, "message": fault.error})
    status = 404 if code == "UNREGISTERED" else 400
    return JSONResponse({"error": {"code": code, "message": fault.error}}, status_code=status)


def provider_app(sandbox: Sandbox, smtp_port: int = 0) -> FastAPI:
    app = FastAPI(title="HSSK dev sandbox", docs_url=None, redoc_url=None)

    async def deliver(request: Request, record: Record, unicode: bool = True) -> Any:
        channel = record["channel"]
        sandbox.requests[channel] += 1
        key = request.headers.get("Idempotency-Key") or record["key"] or uuid.uuid4().hex
        if (known := sandbox.outbox.keys.get((channel, key))) is not None:
            return accepted(channel, known["provider_id"])  # the same answer, not recorded again
        fault = sandbox.fault(channel, record["to"], unicode=unicode)
        if fault is None and channel == "zalo" and record["to"].endswith(INACTIVE_SUFFIX):
            fault = Fault(channel="zalo", error="user_inactive")
        lost = fault is not None and fault.error == "undelivered"  # accepted, never arrives
        if fault is not None and not lost:
            return await failure(channel, fault)
        provider_id = f"{channel}-{uuid.uuid4().hex[:16]}"
        sandbox.outbox.add({**record, "key": key, "provider_id": provider_id, "duplicate": False,
                            **({"undelivered": True} if lost else {})})  # fmt: skip
        if sandbox.receipts is not None:
            sandbox.receipts.report(channel, key, provider_id, delivered=not lost)
        return accepted(channel, provider_id)

    @app.post("/sms")
    async def sms(body: SmsIn, request: Request) -> Any:
        record: Record = {"channel": "sms", "to": body.phone, "text": body.content}
        record |= {"key": body.request_id, "unicode": body.unicode}
        return await deliver(request, record, body.unicode)

    @app.post("/zns")
    async def zns(body: ZnsIn, request: Request) -> Any:
        params = "; ".join(f"{k}={v}" for k, v in body.template_data.items())
        record: Record = {
            "channel": "zalo",
            "to": body.phone,
            "text": f"[{body.template_id}] {params}",
        }
        record |= {"template_id": body.template_id, "params": body.template_data}
        return await deliver(request, {**record, "key": body.tracking_id})

    @app.post("/push")
    async def push(body: PushIn, request: Request) -> Any:
        record = {"channel": "app", "to": body.token, "subject": body.title, "text": body.body}
        return await deliver(request, {**record, "key": ""})

    @app.post("/faults")
    async def add_fault(fault: Fault) -> Record:
        sandbox.faults.append(fault)
        return {"faults": [f.model_dump() for f in sandbox.faults]}

    @app.delete("/faults")
    async def clear_faults() -> Record:
        sandbox.faults.clear()
        return {"faults": []}

    @app.get("/outbox")
    async def outbox(to: str | None = None) -> list[Record]:
        return sandbox.outbox.list(to)

    @app.delete("/outbox")
    async def clear_outbox() -> Record:
        sandbox.outbox.clear()
        return {"cleared": True}

    @app.get("/receipts")
    async def receipts() -> list[Record]:
        """The delivery receipts sent to notify, and what it answered."""
        return sandbox.receipts.sent if sandbox.receipts else []

    @app.get("/healthz")
    async def healthz() -> Record:
        return {"status": "ok", "smtp_port": smtp_port, "outbox": len(sandbox.outbox.records)}

    return app
