"""The Source over Kafka (aiokafka), and `ConsumerLoop`: the loop over one, built from the
arguments every service's bootstrap passes."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord

from hssk_contracts.topics import Topic
from hssk_kit import metrics
from hssk_kit.consumer_loop import SourceLoop
from hssk_kit.handling import Retry
from hssk_kit.messages import DeadLetter, Fold, Handle, Inbound
from hssk_kit.source import Partition

log = logging.getLogger(__name__)
COMMIT_ATTEMPTS = 20  # about a minute of a broker being away

if TYPE_CHECKING:
    from hssk_kit.bus import Publisher  # bus re-exports ConsumerLoop from here


class KafkaSource:
    """One member of a consumer group: offsets committed only when asked (never automatically),
    a new group starts at the earliest message. After each fetch it sets the group's lag per
    topic (hssk_bus_consumer_lag), so the loop needs no Kafka to report it."""

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        topics: Sequence[Topic],
        service: str,
        max_poll_records: int = 500,
    ):
        self._service = service
        self._topics = [t.name for t in topics]
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_poll_records,
            client_id=f"hssk-{service}",
        )

    async def start(self) -> None:
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()

    async def fetch(self, timeout_ms: int, max_records: int) -> dict[Partition, list[Inbound]]:
        fetched = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        await self._report_lag()
        return {
            Partition(tp.topic, tp.partition): [_inbound(r) for r in records]
            for tp, records in fetched.items()
            if records
        }

    async def commit(self, offsets: dict[Partition, int]) -> None:
        """Commit, riding out a broker outage (retried) and a lost group membership after a
        broker restart or a rebalance: then the group has moved on and whoever owns these
        partitions now is given the batch again, which idempotent handlers make safe."""
        wanted = {TopicPartition(*p): offset for p, offset in offsets.items()}
        for attempt in itertools.count(1):
            try:
                await self._consumer.commit(wanted)
                return
            except KafkaError as exc:
                if not exc.retriable or attempt >= COMMIT_ATTEMPTS:
                    metrics.COMMITS_REFUSED.labels(self._service).inc()
                    log.warning(
                        "commit refused; the batch will be delivered again",
                        extra={"error": repr(exc), "partitions": len(wanted)},
                    )
                    return
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))

    async def _report_lag(self) -> None:
        lag: dict[str, int] = defaultdict(int)
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is not None:
                lag[tp.topic] += max(high - await self._consumer.position(tp), 0)
        for topic in self._topics:
            metrics.LAG.labels(self._service, topic).set(lag.get(topic, 0))


def _inbound(r: ConsumerRecord) -> Inbound:
    return Inbound(r.topic, r.partition, r.offset, r.key, r.value or b"", r.timestamp)


class ConsumerLoop(SourceLoop):
    """The loop over a KafkaSource for `group_id` on `topics`, publishing through `publisher`."""

    def __init__(
        self,
        *,
        service: str,
        group_id: str,
        topics: Sequence[Topic],
        bootstrap: str,
        publisher: Publisher,
        handle: Handle | None = None,
        fold: Fold | None = None,
        dead_letter: DeadLetter,
        batch_size: int = 500,
        concurrency: int = 64,
        retry: Retry | None = None,
    ):
        source = KafkaSource(
            bootstrap=bootstrap,
            group_id=group_id,
            topics=topics,
            service=service,
            max_poll_records=batch_size,
        )
        super().__init__(
            service=service,
            source=source,
            publish=publisher.publish,
            handle=handle,
            fold=fold,
            dead_letter=dead_letter,
            batch_size=batch_size,
            concurrency=concurrency,
            retry=retry,
        )
