"""The consumer loop over any Source: fetch a batch, run messages with different keys
concurrently (one key strictly in order), commit only after every handler is done with its
messages. A crash before the commit re-delivers the unfinished batch."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

from hssk_kit import metrics
from hssk_kit.handling import GuardedHandler, Retry
from hssk_kit.messages import DeadLetter, Handle, Inbound, Publish
from hssk_kit.source import Partition, Source

FETCH_TIMEOUT_MS = 200


class SourceLoop:
    def __init__(
        self,
        *,
        service: str,
        source: Source,
        publish: Publish,
        handle: Handle,
        dead_letter: DeadLetter,
        batch_size: int = 500,
        concurrency: int = 64,
        retry: Retry | None = None,
    ):
        self.service = service
        self._source = source
        self._publish = publish
        self._guarded = GuardedHandler(service, handle, dead_letter, retry or Retry())
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
        by_key: dict[object, list[Inbound]] = defaultdict(list)
        for partition, msgs in fetched.items():
            for msg in msgs:
                by_key[(partition, msg.key) if msg.key is not None else partition].append(msg)
        await asyncio.gather(*(self._run_in_order(msgs) for msgs in by_key.values()))
        offsets = {partition: msgs[-1].offset + 1 for partition, msgs in fetched.items() if msgs}
        await self._source.commit(offsets)
        metrics.BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)

    async def _run_in_order(self, msgs: list[Inbound]) -> None:
        async with self._slots:
            for msg in msgs:
                await self._guarded(msg, self._publish)
