"""In-memory fake of the record repository, for fast unit tests."""

from __future__ import annotations

from hssk_records.domain.record import Record
from hssk_records.ports import ConcurrentUpdate


class InMemoryRecordRepository:
    def __init__(self) -> None:
        self.records: dict[str, Record] = {}

    async def get(self, person_id: str) -> Record | None:
        return self.records.get(person_id)

    async def save(self, record: Record, expected_version: int) -> None:
        current = self.records.get(record.person_id)
        if (current.version if current else 0) != expected_version:
            raise ConcurrentUpdate(record.person_id)
        self.records[record.person_id] = record
