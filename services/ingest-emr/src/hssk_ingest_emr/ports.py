"""What the ingest handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from hssk_ingest_emr.domain.receipts import Receipt


class ReceiptStore(Protocol):
    async def get(self, key: str) -> Receipt | None: ...

    async def put(self, receipt: Receipt) -> None: ...
