"""Bulk import of citizen lists (the BHYT administrative list, ward lists of the uninsured)
through the same matcher as visits: the CSV is streamed in batches of rows, each batch resolved
at once against a staged index (staged_batch.py), each row gets an outcome line, and a
checkpoint lets a stopped import resume. docs/identity-import.md."""

from __future__ import annotations

import asyncio
import csv
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TextIO

from hssk_contracts.schemas import DEFAULT_PUBLIC_URL
from hssk_identity.bootstrap import build_index
from hssk_identity.bulk_import import files
from hssk_identity.bulk_import.batches import BatchResolver, Clock, Line, batches
from hssk_identity.handlers import Index
from hssk_kit import mongo, runtime
from hssk_kit.bus import TRANSIENT, Publish, Publisher

BATCH = 500  # rows resolved at once: the rows held in memory, and the checkpoint's step
SOURCE_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")

AfterRow = Callable[[int], None] | None


@dataclass(frozen=True)
class Engines:
    mongo_url: str
    kafka_bootstrap: str
    mongo_db: str = "hssk_identity"
    public_url: str = DEFAULT_PUBLIC_URL  # where the events' schemas are served


def main(path: Path, *, source: str | None, restart: bool, batch: int, to: Engines) -> int:
    """`hssk identity import`: prints the IMPORT summary line; 2 if the file cannot be imported,
    1 if MongoDB or Kafka failed (the same command resumes)."""
    source = source or path.stem
    if not SOURCE_RE.fullmatch(source) or batch < 1:
        print(f"hssk identity import: bad --source {source!r} or --batch", file=sys.stderr)
        return 2
    importer = partial(
        import_file, path, source=source, restart=restart, batch=batch, progress=sys.stderr
    )
    runtime.tune_gc()
    try:
        with path.open(newline="", encoding="utf-8-sig") as rows:
            files.read_header(next(csv.reader(rows), None))  # before connecting to anything
        ledger = asyncio.run(_connected(importer, to))
    except (*TRANSIENT, KeyboardInterrupt) as exc:
        print(f"hssk identity import: stopped ({exc!r}); run again to resume", file=sys.stderr)
        return 1
    except (OSError, files.FormatError, files.ResumeError) as exc:
        print(f"hssk identity import: {exc}", file=sys.stderr)
        return 2
    print(ledger.summary())
    return 0


async def _connected(importer: Callable[..., Awaitable[Ledger]], to: Engines) -> Ledger:
    client, db = mongo.connect(to.mongo_url, to.mongo_db)
    publisher = Publisher(to.kafka_bootstrap, "identity-import", to.public_url)
    try:
        await publisher.start()
        try:
            return await importer(index=build_index(db), publish=publisher.publish)
        finally:
            await publisher.stop()
    finally:
        await client.close()


async def import_file(
    path: Path,
    *,
    source: str,
    index: Index,
    publish: Publish,
    restart: bool = False,
    batch: int = BATCH,
    clock: Clock = lambda: datetime.now(UTC),
    checkpoint_every: int = BATCH,
    after_row: AfterRow = None,
    progress: TextIO | None = None,
) -> Ledger:
    """Import `path`, resuming from its checkpoint unless `restart`. `after_row(rows_done)` runs
    after each input row's outcome is written (tests stop an import there)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    saved, input_bytes = files.Checkpoint.of_input(path, source, restart)
    resolver = BatchResolver(source, index, publish, clock)
    with path.open(newline="", encoding="utf-8-sig") as rows:
        reader = csv.reader(rows)
        try:
            columns = files.read_header(next(reader, None))
            out = files.OutcomeFile(files.outcomes_path(path), saved.offset if saved else None)
            state = saved or files.Checkpoint(source, input_bytes, offset=out.offset)
            checkpoint = files.checkpoint_path(path)
            ledger = Ledger(out, state, checkpoint, checkpoint_every, progress, after_row)
            try:
                ledger.checkpoint()  # a stop before the first periodic one resumes from here
                rest = batches(islice(reader, state.rows, None), batch)
                await resolver.run(columns, rest, ledger.done)
                ledger.checkpoint()
            finally:
                out.close()
        except (csv.Error, UnicodeDecodeError) as exc:
            raise files.FormatError(f"{path}, line {reader.line_num}: {exc}") from None
    ledger.finish(files.outcomes_path(path))
    return ledger


class Ledger:
    """Writes outcomes in input order, counts them, checkpoints every `every` input rows, and
    shows progress: one stderr line redrawn at most 5 times a second (every 10 s into a log)."""

    def __init__(
        self,
        out: files.OutcomeFile,
        state: files.Checkpoint,
        path: Path,
        every: int,
        stream: TextIO | None,
        after_row: AfterRow,
    ):
        self.out, self.state, self._path, self._every = out, state, path, every
        self._after_row = after_row
        self._stream, self._tty = stream, bool(stream and stream.isatty())
        self._before = self.rows
        self.started = self._shown = time.monotonic()

    def done(self, line: Line) -> None:
        if line is not None:
            self.out.write(line)
            self.state.counts[line[1]] += 1
        self.state.rows += 1
        self.state.offset = self.out.offset
        if self.state.rows % self._every == 0:
            self.checkpoint()
        if self._stream and time.monotonic() - self._shown >= (0.2 if self._tty else 10.0):
            self._shown = time.monotonic()
            print(self.line(), end="\r" if self._tty else "\n", file=self._stream, flush=True)
        if self._after_row:
            self._after_row(self.state.rows)

    def checkpoint(self) -> None:
        self.out.sync()
        self.state.save(self._path)

    @property
    def rows(self) -> int:
        return sum(self.state.counts.values())

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def rows_per_s(self) -> float:
        """Rows done by this run (not those before a resume) per second."""
        return (self.rows - self._before) / max(self.seconds, 1e-9)

    def line(self) -> str:
        counts = " ".join(f"{k}={self.state.counts[k]:,}" for k in files.OUTCOMES)
        return f"import: {self.rows:,} rows  {self.rows_per_s:,.0f} rows/s  {counts}"

    def finish(self, outcomes: Path) -> None:
        done = f"import done: {self.rows:,} rows in {self.seconds:.1f} s; outcomes in {outcomes}"
        if self._stream:
            print(self.line(), done, sep="\n", file=self._stream, flush=True)

    def summary(self) -> str:
        counts = " ".join(f"{k}={self.state.counts[k]}" for k in files.OUTCOMES)
        rate = f"seconds={self.seconds:.1f} rows_per_s={self.rows_per_s:.0f}"
        return f"IMPORT rows={self.rows} {counts} {rate}"
