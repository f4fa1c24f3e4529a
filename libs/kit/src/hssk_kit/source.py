"""The port the consumer loop reads through: fetch a batch per partition, commit offsets.
Adapters: `kafka_source.KafkaSource` (aiokafka) and `memory_bus.MemorySource` (tests)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from hssk_kit.messages import Inbound


class Partition(NamedTuple):
    topic: str
    partition: int


class Source(Protocol):
    """One consumer in a consumer group. Offsets committed are the next offset to read, as in
    Kafka; a new source on the same group starts from them (or from the earliest message)."""

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Leave the group without committing anything."""
        ...

    async def fetch(self, timeout_ms: int, max_records: int) -> dict[Partition, list[Inbound]]:
        """Up to `max_records` messages in offset order per partition, waiting at most
        `timeout_ms` for the first; an empty dict when there is nothing new."""
        ...

    async def commit(self, offsets: dict[Partition, int]) -> None: ...
