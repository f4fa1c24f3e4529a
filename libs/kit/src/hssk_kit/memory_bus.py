"""An in-memory Kafka for fast tests: topics of partitions of messages, offsets committed per
consumer group, a `publish` that encodes events as the Publisher does (and is refused as
Kafka refuses), and `MemorySource`, the consumer loop's Source on it."""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections.abc import Sequence

from aiokafka.errors import IllegalStateError, MessageSizeTooLargeError

from hssk_contracts.codec import encode
from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic
from hssk_kit.messages import Inbound
from hssk_kit.source import Partition

MAX_MESSAGE_BYTES = 1_048_576  # the Kafka producer's default max_request_size


class MemoryBroker:
    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.max_message_bytes = max_message_bytes
        self._logs: dict[str, list[list[Inbound]]] = {}
        self._committed: dict[str, dict[Partition, int]] = {}
        self._arrived = asyncio.Event()

    def create(self, topic: str, partitions: int = 1) -> None:
        self._logs.setdefault(topic, [[] for _ in range(partitions)])

    def append(
        self, topic: str, value: bytes, key: bytes | None = None, partition: int | None = None
    ) -> Inbound:
        """Store one message (creating the topic with one partition, as Kafka auto-creates)."""
        if len(value) + len(key or b"") > self.max_message_bytes:
            raise MessageSizeTooLargeError(f"{len(value)} bytes is more than the broker takes")
        self.create(topic)
        parts = self._logs[topic]
        if partition is None:
            partition = zlib.crc32(key) % len(parts) if key is not None else 0
        stored = Inbound(
            topic, partition, len(parts[partition]), key, value, int(time.time() * 1000)
        )
        parts[partition].append(stored)
        self._arrived.set()  # wakes every waiting fetch; the next waiter waits on a new event
        self._arrived = asyncio.Event()
        return stored

    async def publish(self, topic: Topic, event: Envelope) -> None:
        """Satisfies hssk_kit.bus.Publish, encoding as the Publisher does."""
        self.append(topic.name, encode(event), key=event.key.encode())

    def messages(self, topic: str) -> list[Inbound]:
        return [m for part in self._logs.get(topic, []) for m in part]

    def partitions(self, topic: str) -> list[Partition]:
        return [Partition(topic, p) for p in range(len(self._logs.get(topic, [])))]

    def read(self, partition: Partition, offset: int, limit: int) -> list[Inbound]:
        return self._logs[partition.topic][partition.partition][offset : offset + limit]

    def committed(self, group: str) -> dict[Partition, int]:
        return dict(self._committed.get(group, {}))

    def commit(self, group: str, offsets: dict[Partition, int]) -> None:
        self._committed.setdefault(group, {}).update(offsets)

    async def arrival(self, timeout_ms: int) -> None:
        """Return when a message arrives, or after `timeout_ms`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._arrived.wait(), timeout_ms / 1000)


class MemorySource:
    """A Source: the only member of its group (no rebalancing). It starts where the group last
    committed, or at the earliest message; abandoning it and starting another on the same group
    is a crash and a restart, as on Kafka."""

    def __init__(self, broker: MemoryBroker, group_id: str, topics: Sequence[Topic]):
        self.broker = broker
        self.group_id = group_id
        self._topics = [t.name for t in topics]
        self._positions: dict[Partition, int] | None = None

    async def start(self) -> None:
        self._positions = {}

    async def stop(self) -> None:
        self._positions = None

    async def fetch(self, timeout_ms: int, max_records: int) -> dict[Partition, list[Inbound]]:
        fetched = self._take(max_records)
        if not fetched:
            await self.broker.arrival(timeout_ms)
            fetched = self._take(max_records)
        return fetched

    async def commit(self, offsets: dict[Partition, int]) -> None:
        self._started()
        self.broker.commit(self.group_id, offsets)

    def _take(self, max_records: int) -> dict[Partition, list[Inbound]]:
        positions = self._started()
        committed = self.broker.committed(self.group_id)
        fetched: dict[Partition, list[Inbound]] = {}
        for partition in (p for t in self._topics for p in self.broker.partitions(t)):
            at = positions.setdefault(partition, committed.get(partition, 0))
            msgs = self.broker.read(partition, at, max_records - sum(map(len, fetched.values())))
            if msgs:
                fetched[partition] = msgs
                positions[partition] = at + len(msgs)
        return fetched

    def _started(self) -> dict[Partition, int]:
        if self._positions is None:
            raise IllegalStateError("the source is not started")
        return self._positions
