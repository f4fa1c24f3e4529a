"""In-memory fakes of the ingest ports, for fast unit tests."""

from __future__ import annotations

from hssk_ingest_emr.domain.receipts import Receipt


class InMemoryReceiptStore:
    def __init__(self) -> None:
        self.receipts: dict[str, Receipt] = {}

    async def get(self, key: str) -> Receipt | None:
        return self.receipts.get(key)

    async def put(self, receipt: Receipt) -> None:
        self.receipts[receipt.key] = receipt
