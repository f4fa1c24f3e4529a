"""The consumer loop's behaviour, written once and run on every Source: a test module subclasses
`LoopSuite` and provides a `harness` fixture (memory: test_consumer_loop_memory.py; the real
broker: tests/integration/test_consumer_loop_kafka.py)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka.errors import MessageSizeTooLargeError, RequestTimedOutError
from prometheus_client import REGISTRY

from hssk_contracts import text
from hssk_contracts.codec import Problem
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.topics import Topic
from hssk_kit.bus import DeadLetter, Handle, Inbound, Publish, Rejected, SourceLoop
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.logging import JsonFormatter

BIG = 900_000  # under the broker's 1 MiB limit as input; over it as base64 in a dead letter


@dataclass
class Running:
    loop: SourceLoop
    task: asyncio.Task
    cleanup: Callable[[], Awaitable[None]]
    stopped: bool = False

    async def crash(self) -> None:
        """Abandon the loop wherever it is (nothing is committed on the way out)."""
        if not self.stopped:
            self.stopped = True
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            await self.cleanup()


class Harness(Protocol):
    service: str
    source: Topic  # two partitions
    dlq: Topic  # one partition
    patience: float  # seconds to wait for what should happen

    async def send(self, value: bytes, key: bytes | None = b"k", partition: int = 0) -> None: ...

    async def start(self, handle: Handle, group: str, dead_letter: DeadLetter) -> Running: ...

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Every event on the dead-letter topic, in order, as JSON."""
        ...

    async def committed(self, group: str) -> dict[int, int]:
        """The group's committed offset (the next to read) per partition of `source`."""
        ...


async def until(check: Callable[[], Any], seconds: float, what: str = "condition") -> None:
    for _ in range(int(seconds / 0.01)):
        done = check()
        if asyncio.iscoroutine(done):
            done = await done
        if done:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} not met within {seconds}s")


def counted(name: str, h: Harness) -> float:
    return REGISTRY.get_sample_value(name, {"service": h.service, "topic": h.source.name}) or 0.0


def new_group() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@dataclass
class Recorder:
    """A handler that remembers what it handled and raises what `fail` says for a value."""

    fail: Callable[[Inbound], BaseException | None] = lambda msg: None
    handled: list[bytes] = field(default_factory=list)
    tries: dict[bytes, int] = field(default_factory=lambda: defaultdict(int))

    async def __call__(self, msg: Inbound, publish: Publish) -> None:
        self.tries[msg.value] += 1
        if (exc := self.fail(msg)) is not None:
            raise exc
        self.handled.append(msg.value)


class Refusing:
    """A dead letter whose full form fails `times` times with `error` (for ever when None);
    its poison form works."""

    def __init__(self, inner: DeadLetter, error: Exception, times: int | None = None):
        self.inner, self.error, self.times, self.calls = inner, error, times, 0

    async def __call__(self, msg, problems, attempt, publish, facility_code=None, part=None):
        self.calls += 1
        if self.times is None or self.calls <= self.times:
            raise self.error
        await self.inner(msg, problems, attempt, publish, facility_code)

    async def poison(self, msg, error, attempt, publish) -> None:
        await self.inner.poison(msg, error, attempt, publish)


def json_lines(records: list[logging.LogRecord]) -> list[dict]:
    """Each record as the service would write it: one JSON line that encodes as UTF-8."""
    formatter = JsonFormatter("test")
    return [json.loads(formatter.format(r).encode("utf-8")) for r in records]


class LoopSuite:
    async def _run(self, h: Harness, handle: Handle, dead_letter: DeadLetter | None = None):
        return await h.start(handle, new_group(), dead_letter or dead_letter_to(h.dlq, h.service))

    async def test_a_crash_mid_batch_redelivers_what_was_unfinished(self, harness: Harness):
        h = harness
        for i in range(3):
            await h.send(f"m{i}".encode(), key=b"same-key")
        seen: list[bytes] = []
        blocked = asyncio.Event()

        async def stuck_on_second(msg: Inbound, publish: Publish) -> None:
            seen.append(msg.value)
            if msg.value == b"m1":
                blocked.set()
                await asyncio.sleep(3600)  # the "crash" happens while this write is in flight

        group = new_group()
        first = await h.start(stuck_on_second, group, dead_letter_to(h.dlq, h.service))
        await asyncio.wait_for(blocked.wait(), h.patience)
        await first.crash()
        assert await h.committed(group) == {}  # m0 was done, but not its whole batch

        again = Recorder()
        await h.start(again, group, dead_letter_to(h.dlq, h.service))
        await until(lambda: len(again.handled) >= 3, h.patience, "redelivery")
        assert seen == [b"m0", b"m1"]
        assert again.handled == [b"m0", b"m1", b"m2"]

    async def test_a_finished_batch_is_committed_and_not_delivered_again(self, harness: Harness):
        h = harness
        await h.send(b"m0")
        await h.send(b"m1")
        group, first = new_group(), Recorder()
        running = await h.start(first, group, dead_letter_to(h.dlq, h.service))
        await until(lambda: first.handled == [b"m0", b"m1"], h.patience, "handling")
        await until(lambda: _committed_is(h, group, {0: 2}), h.patience, "commit")
        await running.crash()

        await h.send(b"m2")
        second = Recorder()
        await h.start(second, group, dead_letter_to(h.dlq, h.service))
        await until(lambda: b"m2" in second.handled, h.patience, "the new message")
        assert second.handled == [b"m2"]

    async def test_one_key_runs_in_order_while_different_keys_run_concurrently(
        self, harness: Harness
    ):
        h = harness
        sent: dict[bytes, list[bytes]] = defaultdict(list)
        for i in range(5):
            for key, partition in ((b"a", 0), (b"b", 0), (b"c", 0), (b"d", 1)):
                sent[key].append(key + str(i).encode())
                await h.send(key + str(i).encode(), key=key, partition=partition)
        order: dict[bytes, list[bytes]] = defaultdict(list)
        active: dict[bytes, int] = defaultdict(int)
        overlaps: list[bytes] = []
        peak = 0
        b_started = asyncio.Event()

        async def handle(msg: Inbound, publish: Publish) -> None:
            nonlocal peak
            key = msg.key or b""
            if active[key]:
                overlaps.append(msg.value)  # a second message of one key while one runs
            active[key] += 1
            peak = max(peak, sum(active.values()))
            order[key].append(msg.value)
            if msg.value == b"b0":
                b_started.set()
            if msg.value == b"a0":  # only returns at once if b0 runs beside it
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(b_started.wait(), 2)
            await asyncio.sleep(0.005)
            active[key] -= 1

        await self._run(h, handle)
        await until(lambda: sum(map(len, order.values())) == 20, h.patience, "all handled")
        assert overlaps == []
        assert dict(order) == dict(sent)
        assert peak >= 2
        assert b_started.is_set()

    async def test_rejected_and_undecodable_input_is_dead_lettered_and_the_next_flows(
        self, harness: Harness
    ):
        h = harness
        for value in (b'"bad"', b"{oops", b'"good"'):
            await h.send(value)
        handled: list[bytes] = []

        async def handle(msg: Inbound, publish: Publish) -> None:
            if text.loads(msg.value) == "bad":  # DecodeError for "{oops"
                raise Rejected([Problem("data.x", "x_invalid", "x must be y", "bad")])
            handled.append(msg.value)

        await self._run(h, handle)
        await until(lambda: handled == [b'"good"'], h.patience, "the good message")
        rejected, undecodable = await h.dead_letters()
        assert rejected["type"] == "EventRejected"
        assert rejected["event_id"] == derive_event_id("dlq", h.source.name, "0", "0")
        assert rejected["data"]["reasons"] == [
            {"field": "data.x", "rule": "x_invalid", "message": "x must be y", "value": "bad"}
        ]
        assert base64.b64decode(rejected["data"]["original_b64"]) == b'"bad"'
        assert (rejected["data"]["source_topic"], rejected["data"]["offset"]) == (h.source.name, 0)
        assert rejected["data"]["source_key"] == "k"
        assert undecodable["data"]["reasons"][0]["rule"] == "json_invalid"
        assert undecodable["data"]["offset"] == 1

    async def test_transient_failures_are_retried_and_not_dead_lettered(self, harness: Harness):
        h = harness
        await h.send(b"once")
        await h.send(b"next")
        # more failures than a non-transient error gets attempts: only retrying for ever passes
        errors = [ConnectionError("database restarting"), RequestTimedOutError()] * 2
        flaky = Recorder(
            fail=lambda m: errors.pop(0) if m.value == b"once" and errors else None,
        )
        await self._run(h, flaky)
        await until(lambda: flaky.handled == [b"once", b"next"], h.patience, "handling")
        assert flaky.tries[b"once"] == 5
        assert await h.dead_letters() == []

    async def test_a_handler_that_always_fails_is_dead_lettered_after_its_attempts(
        self, harness: Harness
    ):
        h = harness
        await h.send(b"doomed")
        await h.send(b"next")
        broken = Recorder(fail=lambda m: RuntimeError("bug") if m.value == b"doomed" else None)
        await self._run(h, broken)
        await until(lambda: broken.handled == [b"next"], h.patience, "the next message")
        assert broken.tries[b"doomed"] == 3
        [letter] = await h.dead_letters()
        assert letter["data"]["reasons"] == [
            {"field": "$", "rule": "handler_error", "message": "RuntimeError: bug"}
        ]
        assert letter["data"]["attempt"] == 3

    async def test_a_non_retriable_kafka_error_from_a_handler_is_dead_lettered(
        self, harness: Harness
    ):
        h = harness
        await h.send(b"too big to pass on")
        await h.send(b"next")
        handler = Recorder(
            fail=lambda m: MessageSizeTooLargeError() if m.value.startswith(b"too") else None
        )
        running = await self._run(h, handler)
        await until(lambda: handler.handled == [b"next"], h.patience, "the next message")
        [letter] = await h.dead_letters()
        assert letter["data"]["reasons"][0]["rule"] == "handler_error"
        assert "MessageSizeTooLargeError" in letter["data"]["reasons"][0]["message"]
        assert running.loop.healthy and not running.task.done()

    async def test_a_dead_letter_holding_a_lone_surrogate_still_lands(
        self, harness: Harness, caplog
    ):
        h = harness
        await h.send(b"odd")
        await h.send(b"next")
        problem = Problem("data.name\ud800", "text_invalid", "bad \ud800 name", "x\ud800y")
        handler = Recorder(fail=lambda m: Rejected([problem]) if m.value == b"odd" else None)
        await self._run(h, handler)
        await until(lambda: handler.handled == [b"next"], h.patience, "the next message")
        [letter] = await h.dead_letters()
        assert letter["data"]["reasons"] == [
            {
                "field": "data.name\\ud800",
                "rule": "text_invalid",
                "message": "bad \\ud800 name",
                "value": "x\\ud800y",
            }
        ]
        assert json_lines(caplog.records)

    async def test_a_key_no_envelope_could_carry_is_shown_in_its_dead_letter(
        self, harness: Harness
    ):
        h = harness
        await h.send(b"bad", key=b"\xff" * 300)
        await h.send(b"next")
        handler = Recorder(
            fail=lambda m: Rejected([Problem("$", "r", "m")]) if m.value == b"bad" else None
        )
        await self._run(h, handler)
        await until(lambda: handler.handled == [b"next"], h.patience, "the next message")
        [letter] = await h.dead_letters()
        assert letter["data"]["reasons"][0]["rule"] == "r"  # the full letter, not a poison one
        assert letter["key"] == letter["data"]["source_key"]
        assert letter["key"].startswith("\\xff\\xff") and len(letter["key"]) == 200

    async def test_a_failing_dead_letter_yields_the_minimal_poison_record(
        self, harness: Harness, caplog
    ):
        h = harness
        await h.send(b"\xffraw", key=b"k\xfe")
        await h.send(b"next")
        before = counted("hssk_bus_poison_messages_total", h)
        handler = Recorder(
            fail=lambda m: Rejected([Problem("$", "r", "m")]) if m.value != b"next" else None
        )
        refusing = Refusing(dead_letter_to(h.dlq, h.service), ValueError("store refused"))
        await self._run(h, handler, refusing)
        await until(lambda: handler.handled == [b"next"], h.patience, "the next message")
        [letter] = await h.dead_letters()
        assert letter["event_id"] == derive_event_id("poison", h.source.name, "0", "0")
        data = letter["data"]
        assert data["reasons"] == [
            {
                "field": "$",
                "rule": "poison_message",
                "message": "handling or dead-lettering this message failed: ValueError",
                "value": "ValueError",
            }
        ]
        assert base64.b64decode(data["original_b64"]) == b"\xffraw"
        assert (data["source_topic"], data["partition"], data["offset"]) == (h.source.name, 0, 0)
        assert data["source_key"] == "k\\xfe"
        assert counted("hssk_bus_poison_messages_total", h) == before + 1
        assert refusing.calls == 1  # a non-transient failure is not tried again
        assert json_lines(caplog.records)

    async def test_transient_failures_while_dead_lettering_retry_until_it_lands(
        self, harness: Harness
    ):
        h = harness
        await h.send(b"bad")
        await h.send(b"next")
        handler = Recorder(
            fail=lambda m: Rejected([Problem("$", "r", "m")]) if m.value == b"bad" else None
        )
        flaky = Refusing(dead_letter_to(h.dlq, h.service), ConnectionError("broker away"), 2)
        await self._run(h, handler, flaky)
        await until(lambda: handler.handled == [b"next"], h.patience, "the next message")
        [letter] = await h.dead_letters()
        assert letter["data"]["reasons"][0]["rule"] == "r"
        assert flaky.calls == 3

    async def test_a_poison_message_is_skipped_and_the_good_one_after_it_applied(
        self, harness: Harness, caplog
    ):
        h = harness
        await h.send(b"x" * BIG)  # its dead letter, even the minimal one, is too large
        await h.send(b"good")
        before = counted("hssk_bus_poison_lost_total", h)
        handler = Recorder(
            fail=lambda m: Rejected([Problem("$", "r", "m")]) if m.value != b"good" else None
        )
        group = new_group()
        running = await h.start(handler, group, dead_letter_to(h.dlq, h.service))
        await until(lambda: handler.handled == [b"good"], h.patience, "the good message")
        await until(lambda: _committed_is(h, group, {0: 2}), h.patience, "commit")
        assert running.loop.healthy and not running.task.done()
        assert await h.dead_letters() == []
        assert counted("hssk_bus_poison_lost_total", h) == before + 1
        [lost] = [line for line in json_lines(caplog.records) if line["level"] == "critical"]
        assert (lost["topic"], lost["partition"], lost["offset"]) == (h.source.name, 0, 0)
        assert lost["truncated"] and base64.b64decode(lost["original_b64"]).startswith(b"xxx")


async def _committed_is(h: Harness, group: str, expected: dict[int, int]) -> bool:
    return await h.committed(group) == expected
