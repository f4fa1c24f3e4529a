"""The consumer loop over any Source: fetch a batch, run messages with different keys
concurrently (one key strictly in order), commit only after every handler is done with its
messages. A crash before the commit re-delivers the unfinished batch. A loop may instead fold
each partition's batch whole; if the fold fails for good, its messages are folded one by one,
each guarded like a handled message, so one bad message is dead-lettered and the rest flow."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict

from hssk_kit import metrics
from hssk_kit.handling import GuardedHandler, Retry
from hssk_kit.messages import DeadLetter, Fold, Handle, Inbound, Publish, transient
from hssk_kit.source import Partition, Source

FETCH_TIMEOUT_MS = 200
log = logging.getLogger("hssk_kit.bus")


class SourceLoop:
    def __init__(
        self,
        *,
        service: str,
        source: Source,
        publish: Publish,
        handle: Handle | None = None,
        fold: Fold | None = None,
        dead_letter: DeadLetter,
        batch_size: int = 500,
        concurrency: int = 64,
        retry: Retry | None = None,
    ):
        if (handle is None) == (fold is None):
            raise ValueError("a loop either handles messages or folds batches")
        self.service = service
        self._source = source
        self._publish = publish
        self._fold = fold
        self._retry = retry or Retry()
        one = handle or self._fold_one
        self._guarded = GuardedHandler(service, one, dead_letter, self._retry)
        self._batch_size = batch_size
        self._slots = asyncio.Semaphore(concurrency)
        self.healthy = False

    async def check(self) -> None:
        if not self.healthy:
            raise ConnectionError("consumer loop is not running")

    async def run(self) -> None:
        await self._source.start()
        self.healthy = True
        try:
            while True:
                fetched = await self._source.fetch(FETCH_TIMEOUT_MS, self._batch_size)
                if fetched:
                    await self._process(fetched)
        finally:
            self.healthy = False
            await self._source.stop()

    async def _process(self, fetched: dict[Partition, list[Inbound]]) -> None:
        started = time.perf_counter()
        if self._fold is not None:
            await asyncio.gather(*(self._fold_batch(msgs) for msgs in fetched.values() if msgs))
        else:
            by_key: dict[object, list[Inbound]] = defaultdict(list)
            for partition, msgs in fetched.items():
                for msg in msgs:
                    key = (partition, msg.key) if msg.key is not None else partition
                    by_key[key].append(msg)
            await asyncio.gather(*(self._run_in_order(msgs) for msgs in by_key.values()))
        offsets = {partition: msgs[-1].offset + 1 for partition, msgs in fetched.items() if msgs}
        await self._source.commit(offsets)
        metrics.BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)

    async def _run_in_order(self, msgs: list[Inbound]) -> None:
        async with self._slots:
            for msg in msgs:
                await self._guarded(msg, self._publish)

    async def _fold_batch(self, msgs: list[Inbound]) -> None:
        assert self._fold is not None
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._fold(msgs, self._publish)
            except Exception as exc:
                if not transient(exc):
                    log.warning(
                        "batch fold failed; folding its messages one by one",
                        extra={
                            "topic": msgs[0].topic,
                            "partition": msgs[0].partition,
                            "error": type(exc).__name__,
                        },
                    )
                    break
                await asyncio.sleep(self._retry.transient_pause(attempt))
        for msg in msgs:
            await self._guarded(msg, self._publish)

    async def _fold_one(self, msg: Inbound, publish: Publish) -> None:
        assert self._fold is not None
        await self._fold([msg], publish)
