"""In-memory fakes of the ingest ports, for fast unit tests."""

from __future__ import annotations

from hssk_ingest_emr.domain.dead_letters import DeadLetter
from hssk_ingest_emr.domain.receipts import Receipt


class InMemoryReceiptStore:
    def __init__(self) -> None:
        self.receipts: dict[str, Receipt] = {}

    async def get(self, key: str) -> Receipt | None:
        return self.receipts.get(key)

    async def put(self, receipt: Receipt) -> None:
        self.receipts[receipt.key] = receipt


class InMemoryDeadLetterStore:
    def __init__(self) -> None:
        self.letters: dict[str, DeadLetter] = {}

    async def add(self, letter: DeadLetter) -> None:
        self.letters.setdefault(letter.dlq_id, letter)

    async def get(self, dlq_id: str) -> DeadLetter | None:
        return self.letters.get(dlq_id)

    async def save(self, letter: DeadLetter) -> None:
        self.letters[letter.dlq_id] = letter

    async def recent(self, facility_code: str | None, limit: int) -> list[DeadLetter]:
        found = [
            d
            for d in self.letters.values()
            if facility_code is None or d.facility_code == facility_code
        ]
        return sorted(found, key=lambda d: d.rejected_at, reverse=True)[:limit]
