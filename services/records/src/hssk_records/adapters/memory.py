"""In-memory fakes of the records ports, for fast unit tests (proven against FerretDB by the
shared adapter suite in tests/integration/test_adapters.py)."""

from __future__ import annotations

from hssk_records.domain.access_log import Entry, Head
from hssk_records.domain.emergency import Grant, grant_key
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


class InMemoryAccessLogStore:
    def __init__(self) -> None:
        self.heads: dict[str, Head] = {}
        self.stored: dict[str, Entry] = {}

    async def head(self, subject: str) -> Head | None:
        return self.heads.get(subject)

    async def entries(self, subject: str, seqs: list[int]) -> dict[int, Entry]:
        found = (self.stored.get(Entry(subject, s, "", {}, "", "").key) for s in seqs)
        return {e.seq: e for e in found if e is not None}

    async def insert(self, entry: Entry) -> bool:
        if entry.key in self.stored:
            return False
        self.stored[entry.key] = entry
        return True

    async def save_head(self, head: Head) -> None:
        self.heads[head.subject] = head


class InMemoryGrantStore:
    def __init__(self) -> None:
        self.grants: dict[str, Grant] = {}
        self.used: dict[tuple[str, str], int] = {}

    async def get(self, doctor: str, person_id: str) -> Grant | None:
        return self.grants.get(grant_key(doctor, person_id))

    async def save(self, grant: Grant) -> None:
        self.grants[grant.key] = grant

    async def take_slot(self, doctor: str, day: str, limit: int) -> bool:
        used = self.used.get((doctor, day), 0)
        if used >= limit:
            return False
        self.used[(doctor, day)] = used + 1
        return True


class InMemoryPersonKeys:
    def __init__(self) -> None:
        self.holders: dict[str, str] = {}

    async def person_of(self, keys: list[str]) -> str | None:
        return next((self.holders[k] for k in keys if k in self.holders), None)

    async def remember(self, keys: list[str], person_id: str) -> None:
        self.holders.update(dict.fromkeys(keys, person_id))
