"""The sandbox's delivery receipts: a moment after the fake SMS gateway or Zalo accepts a
message, it reports to notify's webhook whether the handset got it, as real providers do,
signed with the shared secret and sent again (with growing pauses) until notify answers.

The signature is computed here, independently of notify's code, as a provider would:
X-HSSK-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger("hssk.sandbox")
TRIES = 6


@dataclass
class Receipts:
    url: str  # notify's webhook base, e.g. http://127.0.0.1:8004/v1/receipts
    secret: bytes
    delay_s: float = 0.2
    sent: list[dict[str, Any]] = field(default_factory=list)  # what notify answered, for tests
    _pending: set[asyncio.Task[None]] = field(default_factory=set)

    def report(self, channel: str, key: str, provider_id: str, delivered: bool) -> None:
        """Send the receipt in the background (SMS: delivered or not; Zalo: delivered only)."""
        body = shape(channel, key, provider_id, delivered)
        if body is None:
            return
        task = asyncio.create_task(self._post(channel, key, body))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _post(self, channel: str, key: str, body: dict[str, Any]) -> None:
        await asyncio.sleep(self.delay_s)
        raw = json.dumps(body).encode()
        answer: dict[str, Any] = {"channel": channel, "key": key, "receipt": body}
        async with httpx.AsyncClient(timeout=5.0) as client:
            for attempt in range(TRIES):
                try:
                    response = await client.post(
                        f"{self.url}/{channel}",
                        content=raw,
                        headers={
                            "Content-Type": "application/json",
                            "X-HSSK-Signature": signature(self.secret, raw),
                        },
                    )
                    answer |= {"status": response.status_code, "answer": response.text[:300]}
                    if response.status_code < 300 or response.status_code in (401, 413, 422):
                        break  # done, or refused for good: sending it again changes nothing
                except httpx.HTTPError as exc:
                    answer |= {"status": None, "answer": repr(exc)[:300]}
                await asyncio.sleep(min(0.5 * 2**attempt, 10))
        if answer.get("status") != 200:
            log.warning("receipt not taken: %s", answer)
        self.sent.append(answer)

    async def drain(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


def signature(secret: bytes, raw: bytes, now: float | None = None) -> str:
    t = int(now if now is not None else time.time())
    mac = hmac.new(secret, f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def shape(channel: str, key: str, provider_id: str, delivered: bool) -> dict[str, Any] | None:
    now = datetime.now(UTC)
    if channel == "sms":
        return {"request_id": key, "message_id": provider_id,
                "status": "DELIVERED" if delivered else "EXPIRED",
                "done_at": now.isoformat(timespec="seconds")}  # fmt: skip
    if channel == "zalo" and delivered:  # Zalo reports receipt, never a failure
        return {"event_name": "user_received_message",
                "message": {"tracking_id": key, "msg_id": provider_id,
                            "delivery_time": str(int(now.timestamp() * 1000))}}  # fmt: skip
    return None
