"""A citizen's own choice to show their record to a doctor (none of the national systems has
it): a share of a scope (the summary, or the whole record) until a time the citizen picks,
shown as a QR for the doctor to scan, revoked at once whenever the citizen wants. Only a hash
of the share's secret is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal

from hssk_records.domain.facts import Frozen

Scope = Literal["summary", "full"]
LONGEST = timedelta(days=7)


class Share(Frozen):
    share_id: str
    person_id: str
    scope: Scope
    created_at: datetime
    expires_at: datetime
    secret_hash: str
    revoked_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.created_at <= now < self.expires_at


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_share(
    person_id: str, scope: Scope, *, now: datetime, lasts: timedelta
) -> tuple[Share, str]:
    """The share and the token for its QR: "<share_id>.<secret>"."""
    secret = secrets.token_urlsafe(24)
    share = Share(
        share_id=str(uuid.uuid4()),
        person_id=person_id,
        scope=scope,
        created_at=now,
        expires_at=now + min(lasts, LONGEST),
        secret_hash=_hash(secret),
    )
    return share, f"{share.share_id}.{secret}"


def share_id_of(token: str) -> str:
    return token.partition(".")[0]


def opens(share: Share | None, token: str, now: datetime) -> bool:
    """Whether `token` opens `share` now (a revoked, expired or unknown share opens nothing)."""
    secret = token.partition(".")[2]
    return (
        share is not None
        and share.active(now)
        and hmac.compare_digest(share.secret_hash.encode(), _hash(secret).encode())
    )
