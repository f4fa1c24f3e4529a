"""The consumer loop's behaviour suite (libs/kit/tests/loop_suite.py) on the real broker, each
test on fresh scratch topics, with the loop built as the services build it (`ConsumerLoop`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

pytest.register_assert_rewrite("libs.kit.tests.loop_suite")

from aiokafka import AIOKafkaConsumer, TopicPartition  # noqa: E402
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # noqa: E402

from hssk_contracts.topics import Topic  # noqa: E402
from hssk_kit.bus import ConsumerLoop, DeadLetter, Handle, Publisher, Retry  # noqa: E402
from libs.kit.tests.loop_suite import LoopSuite, Running  # noqa: E402
from tests.conftest import BOOTSTRAP  # noqa: E402

pytestmark = pytest.mark.usefixtures("engines_up")


def scratch_topics() -> tuple[Topic, Topic]:
    suffix = uuid.uuid4().hex[:8]
    source = Topic(f"test.in-{suffix}.v1", "k", 2, ("test",), ("test",), "scratch input")
    dlq = Topic(
        f"test.dlq-{suffix}.v1",
        "k",
        1,
        ("test",),
        ("test",),
        "scratch dlq",
        event_types=("EventRejected",),
    )
    return source, dlq


class KafkaHarness:
    patience = 30.0  # joining a consumer group takes seconds on a shared broker

    def __init__(self, producer, admin: AIOKafkaAdminClient):
        self.service = "test"
        self.source, self.dlq = scratch_topics()
        self.running: list[Running] = []
        self._producer = producer
        self._admin = admin

    async def send(self, value: bytes, key: bytes | None = b"k", partition: int = 0) -> None:
        await self._producer.send_and_wait(self.source.name, value, key=key, partition=partition)

    async def start(self, handle: Handle, group: str, dead_letter: DeadLetter) -> Running:
        publisher = Publisher(BOOTSTRAP, self.service)
        await publisher.start()
        loop = ConsumerLoop(
            service=self.service,
            group_id=group,
            topics=[self.source],
            bootstrap=BOOTSTRAP,
            publisher=publisher,
            handle=handle,
            dead_letter=dead_letter,
            batch_size=50,
            retry=Retry(scale=0.05),
        )
        running = Running(loop, asyncio.create_task(loop.run()), publisher.stop)
        self.running.append(running)
        return running

    async def dead_letters(self) -> list[dict[str, Any]]:
        consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
        await consumer.start()
        try:
            tp = TopicPartition(self.dlq.name, 0)
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            end = (await consumer.end_offsets([tp]))[tp]
            events: list[dict[str, Any]] = []
            while await consumer.position(tp) < end:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                events += [json.loads(r.value) for r in batch.get(tp, [])]
            return events
        finally:
            await consumer.stop()

    async def committed(self, group: str) -> dict[int, int]:
        offsets = await self._admin.list_consumer_group_offsets(group)
        return {
            tp.partition: meta.offset
            for tp, meta in offsets.items()
            if tp.topic == self.source.name and meta.offset >= 0
        }


@pytest.fixture
async def harness(producer):
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    h = KafkaHarness(producer, admin)
    await admin.create_topics([NewTopic(t.name, t.partitions, 1) for t in (h.source, h.dlq)])
    yield h
    for running in h.running:
        await running.crash()
    await admin.delete_topics([h.source.name, h.dlq.name])
    await admin.close()


class TestOnKafka(LoopSuite):
    pass
