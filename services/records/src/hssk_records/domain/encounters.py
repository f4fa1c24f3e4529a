"""A whole visit as the encounters collection keeps it (latest revision), and what to do with a
visit that arrives: apply it (new or a correction), or ignore it (a replay of what is stored,
or an older revision arriving late)."""

from __future__ import annotations

from typing import Literal

from hssk_contracts.visit import Visit
from hssk_records.domain.facts import Frozen

Decision = Literal["new", "revised", "replayed", "stale"]


class StoredEncounter(Frozen):
    key: str
    person_id: str
    revision: int
    content_hash: str
    applied_version: int  # the record version this revision made
    visit: Visit


def decide(stored: StoredEncounter | None, visit: Visit, content_hash: str) -> Decision:
    if stored is None:
        return "new"
    if stored.content_hash == content_hash:
        return "replayed"
    if (visit.revision, visit.sent_at) <= (stored.revision, stored.visit.sent_at):
        return "stale"
    return "revised"
