"""Append-only audit of every read and change of health data.

Each entry says who, whose, what, why, when and the outcome.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

Outcome = Literal["allowed", "denied", "not_found"]


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    role: str
    action: str
    person_id: str | None
    purpose: str
    outcome: Outcome
    facility: str | None = None
    detail: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_doc(self) -> dict:
        return asdict(self)


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...

    async def for_person(self, person_id: str, limit: int = 100) -> list[AuditEntry]: ...


class InMemoryAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def for_person(self, person_id: str, limit: int = 100) -> list[AuditEntry]:
        return [e for e in reversed(self.entries) if e.person_id == person_id][:limit]
