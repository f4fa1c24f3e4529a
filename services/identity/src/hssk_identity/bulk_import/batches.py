"""The bulk import's batches: rows parsed, resolved together against a staged index
(staged_batch.py) and stored, the next batch resolved while one is stored; outcome lines in
order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from hssk_identity import handlers
from hssk_identity.bulk_import import files
from hssk_identity.bulk_import.staged_batch import StagedIndex
from hssk_identity.handlers import Index, Query, Resolution
from hssk_kit.bus import TRANSIENT, Publish

ATTEMPTS = 5  # per batch, on transient MongoDB/Kafka failures; then the import stops (resumable)

Line = list[str] | None  # an outcome line; None for a blank input line
Clock = Callable[[], datetime]


def batches(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while batch := list(islice(rows, size)):
        yield batch


@dataclass
class Batch:
    """Input rows resolved together: their outcome lines (None for a blank row, and until
    resolved), and the rows to resolve ((cause, query) each) with their line numbers."""

    lines: list[Line]
    asked: list[tuple[str, Query]]
    at: list[tuple[int, str]]  # (line, row_id) of each asked row
    staged: StagedIndex | None = None
    found: list[Resolution] | None = None


class BatchResolver:
    """Batches of rows: each resolved against a staged index, then stored. While a batch is
    stored (FerretDB's work), the next one is resolved (ours) on top of what it wrote."""

    def __init__(self, source: str, index: Index, publish: Publish, clock: Clock):
        self._source, self._index, self._publish, self._clock = source, index, publish, clock

    async def run(
        self,
        columns: tuple[str, ...],
        batches: Iterator[list[list[str]]],
        done: Callable[[Line], None],
    ) -> None:
        storing: tuple[Batch, asyncio.Task[bool]] | None = None
        try:
            for values in batches:
                batch = self.batch(columns, values)
                try:  # on the batch before, still being stored
                    await self.resolve(batch, under=storing[0] if storing else None)
                except TRANSIENT:
                    batch.found = None
                stored = storing[0] if storing else None
                if storing:
                    if not await self.settle(*storing):  # stored otherwise than resolved
                        batch.found = None
                    if batch.staged:
                        batch.staged.stored_under()
                if batch.found is None:
                    await self.with_retries(self.resolve, batch)
                storing = (batch, asyncio.ensure_future(self.store(batch)))
                await asyncio.sleep(0)  # it sends its first command before we go on
                for line in stored.lines if stored else ():
                    done(line)  # (a stop here redoes both batches on resume: harmless)
            if storing:
                await self.settle(*storing)
                for line in storing[0].lines:
                    done(line)
                storing = None
        finally:
            if storing:  # stopped by an error: let the store in flight end (rows redo on resume)
                await asyncio.gather(storing[1], return_exceptions=True)

    def batch(self, columns: tuple[str, ...], rows: list[list[str]]) -> Batch:
        batch = Batch([None] * len(rows), [], [])
        for n, values in enumerate(rows):
            if not any(v.strip() for v in values):
                continue
            row_id, parsed = files.parse_row(columns, values)
            if isinstance(parsed, files.Rejection):
                batch.lines[n] = files.rejected_line(row_id, parsed)
            else:
                batch.asked.append((f"import:{self._source}:{row_id}", parsed))
                batch.at.append((n, row_id))
        return batch

    async def resolve(self, batch: Batch, under: Batch | None = None) -> None:
        """Row after row against a staged index (on top of `under`, being stored)."""
        batch.found, batch.staged = None, StagedIndex(self._index, under.staged if under else None)
        await batch.staged.prefetch(batch.asked)
        now = self._clock()
        found = []
        for n, (cause, query) in enumerate(batch.asked):
            batch.staged.row = n
            await asyncio.sleep(0)  # let the batch being stored send its next command meanwhile
            found.append(
                await self._resolve(query, cause, now, batch.staged.index, batch.staged.publish)
            )
        batch.found = found

    async def store(self, batch: Batch) -> bool:
        """Store the staged batch; a row whose registration lost a race at storing is resolved
        again on its own. Then the batch's outcome lines are final. True if it was stored
        exactly as staged."""
        assert batch.staged is not None and batch.found is not None
        now = self._clock()
        redo = await batch.staged.store(self._publish, now)
        for n in sorted(redo):
            cause, query = batch.asked[n]
            batch.found[n] = await self._resolve(query, cause, now, self._index, self._publish)
        for (line, row_id), (_, query), resolution in zip(
            batch.at, batch.asked, batch.found, strict=True
        ):
            batch.lines[line] = files.outcome_line(row_id, resolution, query)
        return batch.staged.stored_as_staged

    async def settle(self, batch: Batch, storing: asyncio.Task[bool]) -> bool:
        """Wait for the batch's store; True if it was stored as it was resolved (a failed one
        is done again from the start: resolve is idempotent by cause)."""
        try:
            return await storing
        except TRANSIENT:
            await self.with_retries(self.resolve_and_store, batch)
            return False

    async def resolve_and_store(self, batch: Batch) -> None:
        await self.resolve(batch)
        await self.store(batch)

    async def with_retries(self, step: Callable[[Batch], Awaitable[object]], batch: Batch) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await step(batch)
                return
            except TRANSIENT:
                if attempt == ATTEMPTS:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)

    async def _resolve(
        self, query: Query, cause: str, now: datetime, index: Index, publish: Publish
    ) -> Resolution:
        """resolve() answers a replayed cause as its first run did, reviews included, so a
        re-run or resumed import reports the same outcomes."""
        return await handlers.resolve(
            query,
            create=True,
            cause=cause,
            source=f"import:{self._source}",
            now=now,
            index=index,
            publish=publish,
        )
