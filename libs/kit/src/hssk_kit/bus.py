"""Kafka plumbing: an acks=all idempotent publisher (every event with its CloudEvents headers),
and the names services import for the consumer loop (which lives in consumer_loop.py, over a
Source: kafka_source.py, memory_bus.py).

`publish` returns only once the broker has acknowledged, so a handler can write "done" after it
and the loop can commit after the handler.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from hssk_contracts import cloud_events
from hssk_contracts.codec import encode
from hssk_contracts.envelope import Envelope
from hssk_contracts.schemas import DEFAULT_PUBLIC_URL
from hssk_contracts.topics import Topic
from hssk_kit import metrics
from hssk_kit.consumer_loop import SourceLoop
from hssk_kit.handling import Retry
from hssk_kit.kafka_source import ConsumerLoop, KafkaSource
from hssk_kit.messages import (
    TRANSIENT,
    DeadLetter,
    Fold,
    Handle,
    Inbound,
    Publish,
    Rejected,
    transient,
)

__all__ = [
    "TRANSIENT",
    "ConsumerLoop",
    "DeadLetter",
    "Fold",
    "Handle",
    "Inbound",
    "KafkaSource",
    "Publish",
    "Publisher",
    "Rejected",
    "Retry",
    "SourceLoop",
    "transient",
]


class Publisher:
    """One idempotent producer per process. Each caller publishes through its own batch so that
    it can wait for exactly its own deliveries before it commits or answers."""

    def __init__(self, bootstrap: str, service: str, public_url: str = DEFAULT_PUBLIC_URL):
        self.service = service
        self._public_url = public_url  # where each event's schema is served (ce_dataschema)
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_batch_size=256 * 1024,
            request_timeout_ms=30_000,
            client_id=f"hssk-{service}",
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def check(self) -> None:
        if not await self._producer.client.force_metadata_update():
            raise ConnectionError("Kafka metadata request failed")

    async def publish(self, topic: Topic, event: Envelope) -> None:
        """Send `event`, its CloudEvents attributes as headers, and return once the broker has
        acknowledged it (acks=all)."""
        delivery = await self._producer.send(
            topic.name,
            encode(event),
            key=event.key.encode(),
            headers=cloud_events.headers(event, topic, self._public_url),
        )
        await delivery
        metrics.PUBLISHED.labels(self.service, topic.name).inc()
