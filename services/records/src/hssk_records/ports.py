"""What the records handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from hssk_records.domain.record import Record


class ConcurrentUpdate(Exception):
    """Someone else stored a newer version first; reload and apply again."""


class RecordRepository(Protocol):
    async def get(self, person_id: str) -> Record | None: ...

    async def save(self, record: Record, expected_version: int) -> None:
        """Store `record` if the stored version is still `expected_version` (0: none stored);
        otherwise raise ConcurrentUpdate."""
