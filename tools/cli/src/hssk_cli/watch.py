"""Publishing synthetic visits and watching records.change.v1 until each has been applied."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hssk_contracts import codec, topics
from hssk_contracts.events import RecordChanged, VisitSubmitted


async def change_watcher(bootstrap: str) -> AIOKafkaConsumer:
    """A group-less consumer positioned at the current end of records.change.v1."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    parts = [
        TopicPartition(topics.RECORDS_CHANGE.name, p)
        for p in range(topics.RECORDS_CHANGE.partitions)
    ]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:  # resolve the lazy seek now, before anything is published
        await consumer.position(tp)
    return consumer


async def publish_visits(bootstrap: str, events: list[VisitSubmitted]) -> dict[str, float]:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    sent: dict[str, float] = {}
    try:
        deliveries = []
        for e in events:
            sent[e.key] = time.time()
            deliveries.append(
                await producer.send(topics.EMR_VISIT.name, codec.encode(e), key=e.key.encode())
            )
        await asyncio.gather(*deliveries)
    finally:
        await producer.stop()
    return sent


async def wait_for_changes(
    consumer: AIOKafkaConsumer, visit_keys: set[str], timeout_s: float
) -> dict[str, tuple[float, str]]:
    """visit_key -> (broker timestamp in seconds, person_id) for each change seen in time."""
    seen: dict[str, tuple[float, str]] = {}
    deadline = time.monotonic() + timeout_s
    while len(seen) < len(visit_keys) and time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=500, max_records=5000)
        for records in batch.values():
            for r in records:
                event = codec.decode_as(RecordChanged, topics.RECORDS_CHANGE.name, r.value)
                key = event.data.visit_key
                if key in visit_keys and key not in seen:
                    seen[key] = (r.timestamp / 1000, event.data.person_id)
    return seen
