"""Kafka plumbing: an acks=all idempotent publisher and a consumer loop that commits an offset
only after everything the message caused (MongoDB writes, published events) is acknowledged.

Messages with different keys in one fetched batch run concurrently; one key's run in order.
`publish` returns only once the broker has acknowledged, so a handler can write "done" after it.
Bad input goes to a dead-letter topic and never blocks its partition; transient failures retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError

from hssk_contracts.codec import DecodeError, Problem, encode
from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic
from hssk_kit import metrics

log = logging.getLogger(__name__)

TRANSIENT = (
    KafkaConnectionError,
    KafkaTimeoutError,
    ConnectionFailure,
    AutoReconnect,
    ServerSelectionTimeoutError,
    ConnectionError,
    TimeoutError,
)
MAX_HANDLER_ATTEMPTS = 3


class Publish(Protocol):
    async def __call__(self, topic: Topic, event: Envelope) -> None: ...


class Rejected(Exception):
    """Raised by a handler for input it will never accept; the message goes to the DLQ."""

    def __init__(self, problems: list[Problem], facility_code: str | None = None):
        self.problems = problems
        self.facility_code = facility_code  # who sent it, when known: operators filter by it
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Inbound:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int


class Publisher:
    """One idempotent producer per process. Each caller publishes through its own batch so that
    it can wait for exactly its own deliveries before it commits or answers."""

    def __init__(self, bootstrap: str, service: str):
        self.service = service
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
        """Send `event` and return once the broker has acknowledged it (acks=all)."""
        delivery = await self._producer.send(topic.name, encode(event), key=event.key.encode())
        await delivery
        metrics.PUBLISHED.labels(self.service, topic.name).inc()


Handle = Callable[[Inbound, Publish], Awaitable[None]]
DeadLetter = Callable[[Inbound, list[Problem], int, Publish, str | None], Awaitable[None]]


class ConsumerLoop:
    def __init__(
        self,
        *,
        service: str,
        group_id: str,
        topics: list[Topic],
        bootstrap: str,
        publisher: Publisher,
        handle: Handle,
        dead_letter: DeadLetter,
        batch_size: int = 500,
        concurrency: int = 64,
    ):
        self.service = service
        self._topics = topics
        self._publisher = publisher
        self._handle = handle
        self._dead_letter = dead_letter
        self._batch_size = batch_size
        self._slots = asyncio.Semaphore(concurrency)
        self._consumer = AIOKafkaConsumer(
            *(t.name for t in topics),
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=batch_size,
            client_id=f"hssk-{service}",
        )
        self.healthy = False

    async def check(self) -> None:
        if not self.healthy:
            raise ConnectionError("consumer loop is not running")

    async def run(self) -> None:
        await self._consumer.start()
        self.healthy = True
        try:
            while True:
                fetched = await self._consumer.getmany(timeout_ms=200, max_records=self._batch_size)
                if fetched:
                    await self._process(fetched)
                await self._report_lag()
        finally:
            self.healthy = False
            await self._consumer.stop()

    async def _process(self, fetched: dict[TopicPartition, list]) -> None:
        started = time.perf_counter()
        publish = self._publisher.publish
        by_key: dict[object, list[Inbound]] = defaultdict(list)
        for tp, records in fetched.items():
            for r in records:
                msg = Inbound(r.topic, r.partition, r.offset, r.key, r.value or b"", r.timestamp)
                by_key[(tp, r.key) if r.key is not None else tp].append(msg)
        await asyncio.gather(*(self._run_in_order(msgs, publish) for msgs in by_key.values()))
        offsets = {tp: records[-1].offset + 1 for tp, records in fetched.items()}
        await self._consumer.commit(offsets)
        metrics.BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)

    async def _run_in_order(self, msgs: list[Inbound], publish: Publish) -> None:
        async with self._slots:
            for msg in msgs:
                await self._handle_one(msg, publish)

    async def _handle_one(self, msg: Inbound, publish: Publish) -> None:
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                await self._handle(msg, publish)
            except (DecodeError, Rejected) as exc:
                facility = exc.facility_code if isinstance(exc, Rejected) else None
                await self._reject(msg, exc.problems, attempt, publish, "rejected", facility)
                return
            except TRANSIENT as exc:
                metrics.RETRIES.labels(self.service, msg.topic).inc()
                log.warning(
                    "transient failure, retrying",
                    extra={
                        "topic": msg.topic,
                        "partition": msg.partition,
                        "offset": msg.offset,
                        "attempt": attempt,
                        "error": repr(exc),
                    },
                )
                await asyncio.sleep(min(0.2 * 2 ** min(attempt, 5), 5.0))
                continue
            except KafkaError:
                raise
            except Exception as exc:
                log.exception(
                    "handler failed",
                    extra={
                        "topic": msg.topic,
                        "partition": msg.partition,
                        "offset": msg.offset,
                        "attempt": attempt,
                    },
                )
                if attempt < MAX_HANDLER_ATTEMPTS:
                    await asyncio.sleep(0.1 * attempt)
                    continue
                problem = Problem("$", "handler_error", f"{type(exc).__name__}: {exc}"[:500])
                await self._reject(msg, [problem], attempt, publish, "failed")
                return
            metrics.HANDLER_SECONDS.labels(self.service, msg.topic).observe(
                time.perf_counter() - started
            )
            metrics.CONSUMED.labels(self.service, msg.topic, "ok").inc()
            return

    async def _reject(
        self,
        msg: Inbound,
        problems: list[Problem],
        attempt: int,
        publish: Publish,
        outcome: str,
        facility_code: str | None = None,
    ) -> None:
        await self._dead_letter(msg, problems, attempt, publish, facility_code)
        metrics.CONSUMED.labels(self.service, msg.topic, outcome).inc()
        for p in problems[:5]:
            metrics.DEAD_LETTERS.labels(self.service, msg.topic, p.rule).inc()
        log.warning(
            "message dead-lettered",
            extra={
                "topic": msg.topic,
                "partition": msg.partition,
                "offset": msg.offset,
                "reasons": [f"{p.field}: {p.rule}" for p in problems[:5]],
            },
        )

    async def _report_lag(self) -> None:
        lag: dict[str, int] = defaultdict(int)
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is not None:
                lag[tp.topic] += max(high - await self._consumer.position(tp), 0)
        for topic in (t.name for t in self._topics):
            metrics.LAG.labels(self.service, topic).set(lag.get(topic, 0))
