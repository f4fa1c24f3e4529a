"""Every read of, and refused attempt on, health data is audited: who, whose, what, why, when,
the outcome and the record version shown. Services publish each entry to `audit.access.v1`
before they answer (no audit, no data); records keeps them as the citizen's hash-chained log."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from hssk_contracts import topics
from hssk_contracts.events import AccessData, AccessRecorded
from hssk_kit import metrics
from hssk_kit.bus import Publish

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
    ward: str | None = None
    emergency: bool = False
    reason: str | None = None
    record_version: int | None = None
    match_keys: tuple[str, ...] = ()  # whose, when only identifiers are known (dead letters)

    def to_doc(self) -> dict:
        return asdict(self)


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None:
        """Durably record `entry` before the caller answers; raise if that is not possible."""


def subject_of(entry: AuditEntry, service: str) -> str:
    """Whose log an entry belongs to: the person's, or the service's own for no one's record."""
    return entry.person_id or f"ops:{service}"


class PublishedAuditLog:
    """Appends by publishing to the audit topic (acks=all) keyed by whose log it is, so one
    citizen's entries stay in order and records is their only writer."""

    def __init__(self, publish: Publish, service: str):
        self._publish = publish
        self._service = service

    async def append(self, entry: AuditEntry) -> None:
        subject = subject_of(entry, self._service)
        data = AccessData(
            subject=subject,
            service=self._service,
            **{k: v for k, v in asdict(entry).items() if k != "match_keys"},
            match_keys=list(entry.match_keys),
        )
        event = AccessRecorded.new(
            event_id=str(uuid.uuid4()), producer=self._service, key=subject, data=data
        )
        await self._publish(topics.AUDIT_ACCESS, event)
        metrics.AUDITED.labels(self._service, entry.action, entry.outcome).inc()


class InMemoryAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def for_person(self, person_id: str) -> list[AuditEntry]:
        return [e for e in reversed(self.entries) if e.person_id == person_id]
