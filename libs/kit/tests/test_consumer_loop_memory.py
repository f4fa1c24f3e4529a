"""The consumer loop's behaviour suite on the in-memory broker (no network; the same suite runs
on Kafka in tests/integration/test_consumer_loop_kafka.py), and what only memory can show."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from loop_suite import LoopSuite, Running

from hssk_contracts.topics import Topic
from hssk_kit.bus import DeadLetter, Handle, Retry, SourceLoop
from hssk_kit.memory_bus import MemoryBroker, MemorySource
from hssk_kit.source import Partition


class MemoryHarness:
    patience = 5.0

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.service = "test"
        self.source = Topic(f"test.in-{suffix}.v1", "k", 2, ("test",), ("test",), "input")
        self.dlq = Topic(f"test.dlq-{suffix}.v1", "k", 1, ("test",), ("test",), "dlq")
        self.broker = MemoryBroker()
        self.broker.create(self.source.name, self.source.partitions)
        self.broker.create(self.dlq.name, self.dlq.partitions)
        self.running: list[Running] = []

    async def send(self, value: bytes, key: bytes | None = b"k", partition: int = 0) -> None:
        self.broker.append(self.source.name, value, key=key, partition=partition)

    async def start(self, handle: Handle, group: str, dead_letter: DeadLetter) -> Running:
        loop = SourceLoop(
            service=self.service,
            source=MemorySource(self.broker, group, [self.source]),
            publish=self.broker.publish,
            handle=handle,
            dead_letter=dead_letter,
            batch_size=50,
            retry=Retry(scale=0.0),
        )
        running = Running(loop, asyncio.create_task(loop.run()), _nothing)
        self.running.append(running)
        return running

    async def dead_letters(self) -> list[dict[str, Any]]:
        return [json.loads(m.value) for m in self.broker.messages(self.dlq.name)]

    async def committed(self, group: str) -> dict[int, int]:
        return {p.partition: o for p, o in self.broker.committed(group).items()}


async def _nothing() -> None:
    pass


@pytest.fixture
async def harness():
    h = MemoryHarness()
    yield h
    for running in h.running:
        await running.crash()


class TestOnMemory(LoopSuite):
    pass


async def test_a_new_source_resumes_from_its_groups_commit_and_another_group_from_the_start():
    broker = MemoryBroker()
    topic = Topic("t.v1", "k", 1, (), (), "t")
    for value in (b"a", b"b", b"c"):
        broker.append(topic.name, value)
    first = MemorySource(broker, "g", [topic])
    await first.start()
    fetched = await first.fetch(10, 2)
    assert [m.value for m in fetched[Partition("t.v1", 0)]] == [b"a", b"b"]
    await first.commit({Partition("t.v1", 0): 1})  # only "a" is done
    await first.stop()

    again, other = MemorySource(broker, "g", [topic]), MemorySource(broker, "h", [topic])
    await again.start()
    await other.start()
    assert [m.value for m in (await again.fetch(10, 10))[Partition("t.v1", 0)]] == [b"b", b"c"]
    assert [m.value for m in (await other.fetch(10, 10))[Partition("t.v1", 0)]] == [
        b"a",
        b"b",
        b"c",
    ]


async def test_a_fetch_waits_for_a_message_and_returns_empty_after_its_timeout():
    broker = MemoryBroker()
    topic = Topic("t.v1", "k", 1, (), (), "t")
    source = MemorySource(broker, "g", [topic])
    await source.start()
    assert await source.fetch(10, 10) == {}
    waiting = asyncio.create_task(source.fetch(5_000, 10))
    await asyncio.sleep(0)
    broker.append(topic.name, b"late")
    fetched = await asyncio.wait_for(waiting, 1)
    assert [m.value for m in fetched[Partition("t.v1", 0)]] == [b"late"]


async def test_the_broker_refuses_a_message_over_its_limit_as_kafka_does():
    from aiokafka.errors import MessageSizeTooLargeError

    broker = MemoryBroker(max_message_bytes=10)
    with pytest.raises(MessageSizeTooLargeError):
        broker.append("t.v1", b"x" * 11)
    assert broker.messages("t.v1") == []


async def _folding(h: MemoryHarness, fold) -> Running:
    from hssk_kit.deadletter import dead_letter_to

    loop = SourceLoop(
        service=h.service,
        source=MemorySource(h.broker, "folds", [h.source]),
        publish=h.broker.publish,
        fold=fold,
        dead_letter=dead_letter_to(h.dlq, h.service),
        batch_size=50,
        retry=Retry(scale=0.0),
    )
    running = Running(loop, asyncio.create_task(loop.run()), _nothing)
    h.running.append(running)
    return running


async def _until(check, what: str) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_fold_gets_each_partitions_batch_whole_and_in_offset_order(harness):
    h = harness
    for i in range(6):
        await h.send(f"m{i}".encode(), key=f"k{i}".encode(), partition=i % 2)
    batches: list[list[tuple[int, int]]] = []

    async def fold(msgs, publish) -> None:
        batches.append([(m.partition, m.offset) for m in msgs])

    await _folding(h, fold)
    await _until(lambda: sum(map(len, batches)) == 6, "six folded")
    assert sorted(batches) == [[(0, 0), (0, 1), (0, 2)], [(1, 0), (1, 1), (1, 2)]]
    await _until(lambda: h.broker.committed("folds") != {}, "the commit")
    assert {p.partition: o for p, o in h.broker.committed("folds").items()} == {0: 3, 1: 3}


async def test_a_batch_a_fold_refuses_is_folded_one_by_one_and_only_the_bad_one_dead_lettered(
    harness,
):
    h = harness
    for value in (b"good-1", b"bad", b"good-2"):
        await h.send(value)
    folded: list[bytes] = []
    calls: list[int] = []

    async def fold(msgs, publish) -> None:
        calls.append(len(msgs))
        if any(m.value == b"bad" for m in msgs):
            raise ValueError("cannot fold this")
        folded.extend(m.value for m in msgs)

    await _folding(h, fold)
    await _until(lambda: len(h.broker.messages(h.dlq.name)) == 1, "the dead letter")
    assert folded == [b"good-1", b"good-2"]
    assert calls[0] == 3 and set(calls[1:]) == {1}  # the batch, then each on its own
    dead = json.loads(h.broker.messages(h.dlq.name)[0].value)
    assert dead["data"]["reasons"][0]["rule"] == "handler_error"


async def test_a_transient_failure_of_a_fold_retries_the_whole_batch(harness):
    h = harness
    for value in (b"a", b"b"):
        await h.send(value)
    calls: list[int] = []

    async def fold(msgs, publish) -> None:
        calls.append(len(msgs))
        if len(calls) < 3:
            raise ConnectionError("database away")

    await _folding(h, fold)
    await _until(lambda: len(calls) == 3, "the third try")
    assert calls == [2, 2, 2]
    assert h.broker.messages(h.dlq.name) == []
