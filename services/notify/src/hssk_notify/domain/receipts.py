"""Delivery receipts: after a provider accepted a message, it reports whether the handset got it
(an SMS gateway's delivery report, Zalo's `user_received_message` webhook). Read here from each
provider's wire shape, and proved to come from the provider by an HMAC signature over the raw
body (docs/notify.md, "Delivery receipts").

Signature header  X-HSSK-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
A receipt older or newer than `TOLERANCE` is refused, so a captured one cannot be replayed later.

SMS   {"request_id": <our key>, "message_id", "status": "DELIVERED" | "UNDELIVERED" | "EXPIRED" |
       "REJECTED", "done_at": ISO 8601}
ZNS   {"event_name": "user_received_message", "message": {"tracking_id": <our key>, "msg_id",
       "delivery_time": <milliseconds since the epoch, as text>}}
App push and e-mail send no receipts (FCM reports none to servers; e-mail bounces are not read).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hssk_notify.domain.messages import Channel

TOLERANCE = timedelta(minutes=5)
WITH_RECEIPTS: tuple[Channel, ...] = ("sms", "zalo")
SMS_STATUSES = {"DELIVERED": None, "UNDELIVERED": "undelivered", "EXPIRED": "expired",
                "REJECTED": "rejected_by_network"}  # fmt: skip


@dataclass(frozen=True)
class Report:
    """One receipt: the message (our idempotency key, `<task id>:<channel>`), delivered or not."""

    channel: Channel
    key: str
    provider_id: str
    delivered: bool
    error: str | None  # why not delivered, in the provider's words mapped to ours
    at: datetime

    @property
    def task_id(self) -> str | None:
        task_id, _, channel = self.key.rpartition(":")
        return task_id if task_id and channel == self.channel else None


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str
    message: str


def sign(secret: bytes, body: bytes, at: datetime) -> str:
    """The header value a provider sends (the sandbox signs with this)."""
    t = int(at.timestamp())
    return f"t={t},v1={_mac(secret, t, body)}"


def signature_refusal(secret: bytes, header: str | None, body: bytes, now: datetime) -> str | None:
    """Why the signature does not prove the provider sent `body` now; None when it does."""
    if not secret:
        return "receipts are not configured (no shared secret)"
    if not header:
        return "the X-HSSK-Signature header is missing"
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts.get("t", ""))
    except ValueError:
        return "the signature has no t=<unix seconds>"
    if abs(now - datetime.fromtimestamp(t, UTC)) > TOLERANCE:
        return "the signature's time is more than 5 minutes from now"
    if not hmac.compare_digest(parts.get("v1", ""), _mac(secret, t, body)):
        return "the signature does not match the body"
    return None


def _mac(secret: bytes, t: int, body: bytes) -> str:
    return hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def read(channel: str, body: Any) -> Report | list[Problem]:
    """The receipt in `body` (parsed JSON), or what is wrong with it."""
    if channel not in WITH_RECEIPTS:
        return [Problem("channel", "enum", f"no receipts on {channel!r}; one of sms, zalo")]
    if not isinstance(body, dict):
        return [Problem("body", "type", "a JSON object")]
    return _sms(body) if channel == "sms" else _zns(body)


def _sms(body: dict[str, Any]) -> Report | list[Problem]:
    problems = _texts(body, "request_id", "message_id", "done_at")
    status = body.get("status")
    if status not in SMS_STATUSES:
        problems.append(Problem("status", "enum", f"one of {', '.join(SMS_STATUSES)}"))
    at = _instant(body.get("done_at"), "done_at", problems)
    if problems or at is None:
        return problems
    error = SMS_STATUSES[str(status)]
    return Report("sms", body["request_id"], body["message_id"], error is None, error, at)


def _zns(body: dict[str, Any]) -> Report | list[Problem]:
    if body.get("event_name") != "user_received_message":
        return [Problem("event_name", "enum", "user_received_message")]
    message = body.get("message")
    if not isinstance(message, dict):
        return [Problem("message", "type", "an object with tracking_id, msg_id, delivery_time")]
    problems = [
        Problem(f"message.{p.field}", p.rule, p.message)
        for p in _texts(message, "tracking_id", "msg_id", "delivery_time")
    ]
    if problems:
        return problems
    try:
        at = datetime.fromtimestamp(int(message["delivery_time"]) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return [Problem("message.delivery_time", "format", "milliseconds since the epoch")]
    return Report("zalo", message["tracking_id"], message["msg_id"], True, None, at)


def _texts(body: dict[str, Any], *names: str) -> list[Problem]:
    return [
        Problem(n, "required", "a non-empty text of at most 300 characters")
        for n in names
        if not isinstance(body.get(n), str) or not 0 < len(body[n]) <= 300
    ]


def _instant(value: Any, name: str, problems: list[Problem]) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        problems.append(Problem(name, "format", "an ISO 8601 time with its zone"))
        return None
    return at
