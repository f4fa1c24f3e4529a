"""The kit's Kafka adapters on the real broker: the Publisher returns once the broker has the
event, and the KafkaSource reads and commits as the Source port says. The consumer loop's own
behaviour (commit after handling, crashes, dead letters, poison messages) is the shared suite
in tests/integration/test_consumer_loop_kafka.py, run on memory too."""

from __future__ import annotations

import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hssk_contracts.events import EventRejected, Reason, RejectedData
from hssk_contracts.topics import Topic
from hssk_kit.bus import KafkaSource, Publisher
from hssk_kit.source import Partition
from tests.conftest import BOOTSTRAP

pytestmark = pytest.mark.usefixtures("engines_up")


@pytest.fixture
async def scratch():
    """A fresh two-partition topic, deleted afterwards."""
    topic = Topic(
        f"test.bus-{uuid.uuid4().hex[:8]}.v1",
        "k",
        2,
        ("test",),
        ("test",),
        "scratch",
        event_types=("EventRejected",),
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    await admin.create_topics([NewTopic(topic.name, topic.partitions, 1)])
    yield topic
    await admin.delete_topics([topic.name])
    await admin.close()


def an_event(n: int) -> EventRejected:
    data = RejectedData(
        reasons=[Reason(field="$", rule="r", message="m")],
        original_b64="",
        source_topic="t",
        rejected_by="test",
    )
    return EventRejected.new(event_id=f"event-{n:04d}", producer="test", key="k", data=data)


async def test_publish_returns_once_the_broker_has_the_event(scratch):
    publisher = Publisher(BOOTSTRAP, "test")
    await publisher.start()
    try:
        await publisher.publish(scratch, an_event(1))
    finally:
        await publisher.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(scratch.name, p) for p in range(scratch.partitions)]
        ends = await consumer.end_offsets(parts)
        assert sum(ends.values()) == 1  # already on the broker, no waiting
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        batch = await consumer.getmany(timeout_ms=5000)
    finally:
        await consumer.stop()
    [record] = [r for records in batch.values() for r in records]
    assert (record.key, json.loads(record.value)["event_id"]) == (b"k", "event-0001")


async def test_a_kafka_source_resumes_its_group_from_what_it_committed(scratch, producer):
    for value in (b"a", b"b", b"c"):
        await producer.send_and_wait(scratch.name, value, key=b"k", partition=1)
    group = f"test-{uuid.uuid4().hex[:6]}"
    first = await _fetched(scratch, group, until=3, commit=1)  # only "a" is done
    again = await _fetched(scratch, group, until=2)
    assert [m.value for m in first] == [b"a", b"b", b"c"]
    assert [(m.offset, m.value) for m in again] == [(1, b"b"), (2, b"c")]
    assert {(m.topic, m.partition, m.key) for m in first} == {(scratch.name, 1, b"k")}


async def _fetched(topic: Topic, group: str, until: int, commit: int | None = None) -> list:
    source = KafkaSource(bootstrap=BOOTSTRAP, group_id=group, topics=[topic], service="test")
    await source.start()
    try:
        got: list = []
        for _ in range(100):
            for msgs in (await source.fetch(200, 50)).values():
                got += msgs
            if len(got) >= until:
                break
        if commit is not None:
            await source.commit({Partition(topic.name, 1): commit})
        return got
    finally:
        await source.stop()
