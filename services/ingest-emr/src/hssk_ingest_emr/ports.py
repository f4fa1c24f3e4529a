"""What the ingest handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from hssk_ingest_emr.domain.dead_letters import DeadLetter
from hssk_ingest_emr.domain.receipts import Receipt


class ReceiptStore(Protocol):
    async def get(self, key: str) -> Receipt | None: ...

    async def put(self, receipt: Receipt) -> None: ...


class DeadLetterStore(Protocol):
    async def add(self, letter: DeadLetter) -> None:
        """Keep a dead letter; adding the same id again is a no-op."""

    async def get(self, dlq_id: str) -> DeadLetter | None: ...

    async def save(self, letter: DeadLetter) -> None: ...

    async def recent(self, facility_code: str | None, limit: int) -> list[DeadLetter]:
        """Newest first, for one facility or all."""
