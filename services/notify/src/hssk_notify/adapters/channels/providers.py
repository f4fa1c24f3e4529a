"""SMS brandname gateway, Zalo ZNS and app push over HTTP: one try each (`Attempt`); the wire
shapes below are ours, modelled on the real providers, and the dev sandbox speaks them exactly.

Every request is a JSON POST with `Idempotency-Key: <message.key>` (the provider accepts a key
once and answers a repeat with the same id) and `Authorization: Bearer <token>` when configured.
Any channel: 429 -> rate_limited, 5xx -> unavailable (both may carry Retry-After), 408/504 and a
request timeout -> timeout, a connection failure -> unavailable.

SMS   {"request_id", "phone": "849…", "content", "unicode": bool}
      -> {"code": "OK", "message_id"} | {"code": "PHONE_INVALID" | "PHONE_BLOCKED" |
         "UNICODE_NOT_ALLOWED" | "CONTENT_REJECTED", "message"}
ZNS   {"tracking_id", "phone", "template_id", "template_data": {…}}
      -> {"error": 0, "message", "data": {"msg_id"}} | {"error": <Zalo code, below>, "message"}
push  {"token", "title", "body"}
      -> {"name": "messages/<id>"} | 4xx {"error": {"code": "UNREGISTERED" | "INVALID_TOKEN" |
         "INVALID_PAYLOAD", "message"}}
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from hssk_notify.adapters.channels.resilience import Attempt
from hssk_notify.domain.messages import Channel, ErrorClass, Message

Json = dict[str, Any]

SMS_CODES: dict[str, ErrorClass] = {
    "PHONE_INVALID": "invalid_recipient",
    "PHONE_BLOCKED": "user_inactive",  # the subscriber refuses brandname messages
    "UNICODE_NOT_ALLOWED": "rejected_content",  # brandname registered without Unicode
    "CONTENT_REJECTED": "rejected_content",
}
# Zalo's own ZNS error codes (anything else, e.g. -100 unknown error, counts as unavailable).
ZNS_CODES: dict[int, ErrorClass] = {
    -108: "invalid_recipient",  # phone number invalid
    -109: "rejected_content",  # template id invalid
    -111: "rejected_content",  # template data empty
    -112: "rejected_content",  # template data invalid
    -114: "user_inactive",  # user inactive, refuses ZNS, or Zalo too old
    -115: "rate_limited",  # out of quota
    -116: "rejected_content",  # text invalid
    -118: "user_inactive",  # Zalo account does not exist or is deactivated
    -119: "user_inactive",  # account cannot receive ZNS
}
PUSH_CODES: dict[str, ErrorClass] = {
    "UNREGISTERED": "user_inactive",  # the app was removed or the token expired
    "INVALID_TOKEN": "invalid_recipient",
    "INVALID_PAYLOAD": "rejected_content",
}


def sms_body(message: Message) -> Json:
    return {
        "request_id": message.key,
        "phone": message.to,
        "content": message.text,
        "unicode": message.unicode,
    }


def zns_body(message: Message) -> Json:
    return {
        "tracking_id": message.key,
        "phone": message.to,
        "template_id": message.template_id,
        "template_data": dict(message.params),
    }


def push_body(message: Message) -> Json:
    return {"token": message.to, "title": message.subject, "body": message.text}


def sms_verdict(data: Json) -> Attempt:
    code = str(data.get("code", ""))
    if code == "OK":
        return Attempt(True, provider_id=str(data.get("message_id", "")))
    return _refused(SMS_CODES.get(code), f"sms {code}: {data.get('message', '')}")


def zns_verdict(data: Json) -> Attempt:
    code = data.get("error")
    if code == 0:
        return Attempt(True, provider_id=str((data.get("data") or {}).get("msg_id", "")))
    known = ZNS_CODES.get(code) if isinstance(code, int) else None
    return _refused(known, f"zns {code}: {data.get('message', '')}")


def push_verdict(data: Json) -> Attempt:
    if "name" in data:
        return Attempt(True, provider_id=str(data["name"]))
    error = data.get("error") or {}
    code = str(error.get("code", "")) if isinstance(error, dict) else ""
    return _refused(PUSH_CODES.get(code), f"push {code}: {error}")


def _refused(error: ErrorClass | None, detail: str) -> Attempt:
    # An answer we cannot classify is the provider misbehaving: transient, so the circuit sees it.
    return Attempt(False, error=error or "unavailable", detail=detail[:300])


@dataclass(frozen=True)
class Wire:
    """How one provider's requests are written and its answers read."""

    body: Callable[[Message], Json]
    verdict: Callable[[Json], Attempt]


WIRES: dict[Channel, Wire] = {
    "sms": Wire(sms_body, sms_verdict),
    "zalo": Wire(zns_body, zns_verdict),
    "app": Wire(push_body, push_verdict),
}


class HttpProvider:
    """One HTTP provider (a `Provider`): one POST per attempt, never raising."""

    def __init__(
        self,
        channel: Channel,
        *,
        url: str,
        client: httpx.AsyncClient,
        token: str = "",
        timeout_s: float = 5.0,
    ) -> None:
        self.channel: Channel = channel
        self.url = url
        self.wire = WIRES[channel]
        self._client = client
        self._token = token
        self._timeout = timeout_s

    async def attempt(self, message: Message) -> Attempt:
        headers = {"Idempotency-Key": message.key}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = await self._client.post(
                self.url, json=self.wire.body(message), headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            return Attempt(False, error="timeout", detail=f"{self.channel}: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Attempt(False, error="unavailable", detail=f"{self.channel}: {exc!r}"[:300])
        return self.read(response)

    def read(self, response: httpx.Response) -> Attempt:
        status = response.status_code
        detail = f"{self.channel} HTTP {status}: {response.text[:200]}"
        if status == 429 or status >= 500 or status == 408:
            error: ErrorClass = "rate_limited" if status == 429 else "unavailable"
            if status in (408, 504):
                error = "timeout"
            return Attempt(False, error=error, detail=detail, retry_after_s=retry_after(response))
        try:
            data = response.json()
        except ValueError:
            return Attempt(False, error="unavailable", detail=detail)
        if not isinstance(data, dict):
            return Attempt(False, error="unavailable", detail=detail)
        try:
            return self.wire.verdict(data)
        except (AttributeError, TypeError, ValueError):  # a body not of the documented shape
            return Attempt(False, error="unavailable", detail=detail)


def retry_after(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After in seconds (sent as seconds or as an HTTP date); None if absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - now(), 0.0)
