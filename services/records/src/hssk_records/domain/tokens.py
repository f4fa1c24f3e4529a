"""The token a citizen's QR code carries: signed (HMAC-SHA256 with the service's secret, so it
cannot be forged or altered), short-lived, bound to one person, and used once (the ledger of
used tokens is the records store's). What is refused is said in Vietnamese, English beside."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

REFUSALS = {
    "forged": (
        "Mã QR không hợp lệ. Vui lòng quét lại mã do trạm y tế cấp.",
        "this QR code is not valid; scan the code the health station gave you",
    ),
    "expired": (
        "Mã QR đã hết hạn. Vui lòng xin mã mới tại trạm y tế phường, xã.",
        "this QR code has expired; ask the ward health station for a new one",
    ),
    "used": (
        "Mã QR này đã được dùng. Mỗi mã chỉ dùng được một lần; "
        "vui lòng xin mã mới tại trạm y tế phường, xã.",
        "this QR code was used already; each code works once",
    ),
    "too_many": (
        "Bạn đã thử quá nhiều lần. Vui lòng đợi vài phút rồi thử lại.",
        "too many attempts; wait a few minutes and try again",
    ),
}


@dataclass(frozen=True)
class QrToken:
    token_id: str
    person_id: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def mint(person_id: str, *, key: bytes, now: datetime, lasts: timedelta) -> tuple[str, QrToken]:
    token = QrToken(secrets.token_hex(12), person_id, now + lasts)
    body = {"t": token.token_id, "p": person_id, "e": int(token.expires_at.timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(key, payload)}", token


def read(raw: str, *, key: bytes, now: datetime) -> QrToken | str:
    """The token, or why it is refused ("forged", "expired")."""
    payload, _, signature = raw.partition(".")
    if not payload or not hmac.compare_digest(_sign(key, payload).encode(), signature.encode()):
        return "forged"
    try:
        body = json.loads(_unb64(payload))
        token = QrToken(str(body["t"]), str(body["p"]), datetime.fromtimestamp(body["e"], UTC))
    except (ValueError, KeyError, TypeError):
        return "forged"
    return "expired" if token.expires_at <= now else token
