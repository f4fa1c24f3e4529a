"""Fixtures for integration and e2e tests: they talk to the real Kafka broker and FerretDB that
`hssk dev up` started (`make test` starts them), never to fakes."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hssk_cli import engines, stack
from hssk_contracts import codec
from hssk_contracts.topics import Topic
from hssk_kit import devtokens

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = stack.BOOTSTRAP
MONGO_URL = stack.MONGO_URL


def pytest_collection_modifyitems(items):
    for item in items:
        if any(f"/tests/{kind}/" in str(item.fspath) for kind in ("e2e", "security", "browser")):
            item.add_marker(pytest.mark.e2e)
        elif "/tests/integration/" in str(item.fspath) or "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


# A suite's one-line verdict, printed after the run (a fixture's own output would be captured).
SUMMARIES = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, config) -> None:
    for line in config.stash.get(SUMMARIES, []):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def engines_up() -> None:
    if not (engines.port_open(engines.KAFKA_PORT) and engines.port_open(engines.MONGO_PORT)):
        pytest.fail(
            "Kafka/FerretDB are not running: start them with `.venv/bin/hssk dev up` "
            "(`make test` does this for you)"
        )


@pytest.fixture(scope="session")
def platform_up(engines_up) -> None:
    deadline = time.monotonic() + 60  # a service busy with a backlog answers probes slowly
    while down := [s.name for s in stack.SERVICES if not stack.ready(s)]:
        if time.monotonic() > deadline:
            pytest.fail(f"services not ready: {down}; run `.venv/bin/hssk dev up`")
        time.sleep(1)


@pytest.fixture(scope="session")
def token() -> Callable[..., str]:
    private, _ = devtokens.ensure_keys(ROOT / ".hssk" / "keys")
    return lambda **claims: devtokens.mint(private, **claims)


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:10].upper()


@pytest.fixture
async def producer(engines_up):
    p = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


class TopicTail:
    """Reads a topic from its end at creation time: what tests expect to appear after acting."""

    def __init__(self, topic: Topic):
        self.topic = topic
        self.consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
        self.events: list = []
        self.records: list = []  # as consumed (headers included), for envelope topics
        self.undecodable: list[bytes] = []

    async def start(self) -> TopicTail:
        await self.consumer.start()
        parts = [TopicPartition(self.topic.name, p) for p in range(self.topic.partitions)]
        self.consumer.assign(parts)
        await self.consumer.seek_to_end(*parts)
        for tp in parts:
            await self.consumer.position(tp)
        return self

    async def poll(self, seconds: float) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            batch = await self.consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for r in records:
                    if self.topic.format != "envelope-json":
                        self.events.append(json.loads(r.value))
                        continue
                    try:
                        self.events.append(codec.decode(self.topic.name, r.value))
                        self.records.append(r)
                    except codec.DecodeError:  # hostile input other tests publish on purpose
                        self.undecodable.append(r.value)
        return self.events

    async def wait_for(self, predicate: Callable, seconds: float = 20.0) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self.poll(0.3)
            found = [e for e in self.events if predicate(e)]
            if found:
                return found
        raise AssertionError(
            f"nothing matching on {self.topic.name} within {seconds}s "
            f"({len(self.events)} other events seen)"
        )

    async def stop(self) -> None:
        await self.consumer.stop()


@pytest.fixture
async def tail(engines_up):
    tails: list[TopicTail] = []

    async def make(topic: Topic) -> TopicTail:
        t = await TopicTail(topic).start()
        tails.append(t)
        return t

    yield make
    await asyncio.gather(*(t.stop() for t in tails))


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
