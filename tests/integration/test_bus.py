"""The kit's consumer loop on the real broker: commit only after the handler's work is done,
dead letters never block a partition, transient failures retry."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hssk_contracts import codec
from hssk_contracts.topics import Topic
from hssk_kit.bus import ConsumerLoop, Inbound, Publisher, Rejected
from hssk_kit.deadletter import dead_letter_to
from tests.conftest import BOOTSTRAP

pytestmark = pytest.mark.usefixtures("engines_up")


@pytest.fixture
async def scratch():
    """A fresh input topic and dead-letter topic, deleted afterwards."""
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
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    await admin.create_topics([NewTopic(t.name, t.partitions, 1) for t in (source, dlq)])
    yield source, dlq
    await admin.delete_topics([source.name, dlq.name])
    await admin.close()


async def run_loop(source, dlq, handle, group):
    publisher = Publisher(BOOTSTRAP, "test")
    await publisher.start()
    loop = ConsumerLoop(
        service="test",
        group_id=group,
        topics=[source],
        bootstrap=BOOTSTRAP,
        publisher=publisher,
        handle=handle,
        dead_letter=dead_letter_to(dlq, "test"),
        batch_size=50,
    )
    task = asyncio.create_task(loop.run())
    return task, publisher


async def stop(task, publisher):
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await publisher.stop()


async def until(predicate, seconds=15.0):
    for _ in range(int(seconds / 0.1)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_an_unfinished_message_is_delivered_again_after_a_crash(scratch, producer):
    source, dlq = scratch
    group = f"test-{uuid.uuid4().hex[:6]}"
    for i in range(3):
        await producer.send_and_wait(source.name, f"m{i}".encode(), key=b"same-key")
    seen: list[bytes] = []
    blocked = asyncio.Event()

    async def stuck_on_second(msg: Inbound, publish) -> None:
        seen.append(msg.value)
        if msg.value == b"m1":
            blocked.set()
            await asyncio.sleep(3600)  # the "crash" happens while this write is in flight

    task, pub = await run_loop(source, dlq, stuck_on_second, group)
    await asyncio.wait_for(blocked.wait(), 30)
    await stop(task, pub)

    again: list[bytes] = []

    async def record(msg: Inbound, publish) -> None:
        again.append(msg.value)

    task, pub = await run_loop(source, dlq, record, group)
    await until(lambda: len(again) >= 3, 30)
    await stop(task, pub)
    assert again == [b"m0", b"m1", b"m2"]  # nothing of the unfinished batch was committed


async def test_rejected_input_goes_to_the_dlq_and_the_next_message_still_flows(scratch, producer):
    source, dlq = scratch
    await producer.send_and_wait(source.name, b"bad", key=b"k", partition=0)
    await producer.send_and_wait(source.name, b"good", key=b"k", partition=0)
    handled: list[bytes] = []

    async def handle(msg: Inbound, publish) -> None:
        if msg.value == b"bad":
            raise Rejected([codec.Problem("data.x", "x_invalid", "x must be y", "bad")])
        handled.append(msg.value)

    task, pub = await run_loop(source, dlq, handle, f"test-{uuid.uuid4().hex[:6]}")
    await until(lambda: handled == [b"good"])
    await stop(task, pub)
    consumer = AIOKafkaConsumer(dlq.name, bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest")
    await consumer.start()
    record = await asyncio.wait_for(consumer.getone(), 10)
    await consumer.stop()
    event = json.loads(record.value)
    assert event["type"] == "EventRejected"
    assert event["data"]["reasons"][0] == {
        "field": "data.x",
        "rule": "x_invalid",
        "message": "x must be y",
        "value": "bad",
    }
    assert (event["data"]["source_topic"], event["data"]["offset"]) == (source.name, 0)


async def test_a_transient_failure_is_retried_not_dead_lettered(scratch, producer):
    source, dlq = scratch
    await producer.send_and_wait(source.name, b"once", key=b"k")
    attempts: list[int] = []

    async def flaky(msg: Inbound, publish) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("database restarting")

    task, pub = await run_loop(source, dlq, flaky, f"test-{uuid.uuid4().hex[:6]}")
    await until(lambda: len(attempts) == 3)
    await stop(task, pub)
    assert len(attempts) == 3
