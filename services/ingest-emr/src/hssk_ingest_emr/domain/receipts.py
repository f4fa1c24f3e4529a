"""Idempotency and corrections: what to do with a visit given the last one accepted for its key.

The key is (facility code, visit id). The same content again is a duplicate; a later revision (or
the same revision sent later with new content) supersedes; an older revision arriving late is stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hssk_contracts.visit import Visit

Decision = Literal["new", "correction", "duplicate", "stale"]


@dataclass(frozen=True)
class Receipt:
    key: str
    revision: int
    sent_at: datetime
    content_hash: str
    event_id: str


def content_hash(visit: Visit) -> str:
    """A hash of what the visit says, ignoring when and as which revision it was sent."""
    body = visit.model_dump(mode="json", exclude={"sent_at", "revision"}, exclude_none=True)
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def decide(last: Receipt | None, revision: int, sent_at: datetime, digest: str) -> Decision:
    if last is None:
        return "new"
    if digest == last.content_hash:
        return "duplicate"
    if (revision, sent_at) <= (last.revision, last.sent_at):
        return "stale"
    return "correction"
