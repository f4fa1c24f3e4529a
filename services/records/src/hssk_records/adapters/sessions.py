"""Citizen sessions as JWTs signed with the key every service's verifier trusts (locally the
dev issuer's; in production a key of the city's issuer, whose JWKS the services read)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt


class JwtSessions:
    def __init__(self, key_file: str, *, issuer: str, audience: str, lasts: timedelta):
        self._key_file = Path(key_file)
        self._key: bytes | None = None
        self._issuer, self._audience, self._lasts = issuer, audience, lasts

    def mint(self, person_id: str) -> tuple[str, datetime]:
        if self._key is None:  # read lazily: the dev key may be made after we start
            self._key = self._key_file.read_bytes()
        now = int(time.time())
        expires = now + int(self._lasts.total_seconds())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": f"citizen:{person_id}",
            "role": "citizen",
            "person_id": person_id,
            "iat": now,
            "exp": expires,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256")
        return token, datetime.fromtimestamp(expires, UTC)
