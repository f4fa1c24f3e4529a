"""Identity throughput in one worker process: resolutions of people whose personal ID is already
known (the common case: a returning patient), registrations, and a bulk import of a citizen list
(`hssk identity import`'s own code), through the real adapters on FerretDB and the real
publisher, beside the raw find-by-_id rate of the same database."""

from __future__ import annotations

import asyncio
import csv
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from hssk_cli import stack, synth
from hssk_contracts.visit import Identifier
from hssk_identity.bootstrap import build_index
from hssk_identity.bulk_import import importing as bulk_import
from hssk_identity.handlers import Query, resolve
from hssk_kit import mongo
from hssk_kit.bus import Publisher

CONCURRENCY = 64
IMPORT_ROWS = 10_000  # a ward-sized list: enough batches for the pipeline and a growing index


def _query(c: synth.Citizen) -> Query:
    ids = [Identifier(type="cccd", value=c.cccd)]
    if c.bhyt:
        ids.append(Identifier(type="bhyt", value=c.bhyt))
    return Query(
        name=c.name,
        identifiers=tuple(ids),
        birth_date=c.birth.isoformat(),
        sex=c.sex,
        phone=c.phone,
        commune_code=c.commune_code,
        address=c.address,
    )


async def _run_all(queries: list[Query], index, publish, tag: str) -> float:
    slots = asyncio.Semaphore(CONCURRENCY)
    now = datetime.now(UTC)

    async def one(i: int, q: Query) -> None:
        async with slots:
            await resolve(
                q,
                create=True,
                cause=f"bench:{tag}:{i}",
                source="bench",
                now=now,
                index=index,
                publish=publish,
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(i, q) for i, q in enumerate(queries)))
    return time.perf_counter() - started


async def measure(people: int) -> dict[str, float]:
    client, db = mongo.connect(stack.MONGO_URL, f"hssk_bench_identity_{uuid.uuid4().hex[:6]}")
    publisher = Publisher(stack.BOOTSTRAP, "bench-identity")
    await publisher.start()
    try:
        index = build_index(db)
        rng = random.Random(11)
        citizens = [synth.citizen(rng) for _ in range(people)]
        queries = [_query(c) for c in citizens]
        register_s = await _run_all(queries, index, publisher.publish, "register")
        known_s = await _run_all(queries, index, publisher.publish, "known")
        keys = [f"cccd:{c.cccd}" for c in citizens]
        slots = asyncio.Semaphore(CONCURRENCY)

        async def find(key: str) -> None:
            async with slots:
                await db["identifiers"].find_one({"_id": key})

        started = time.perf_counter()
        await asyncio.gather(*(find(k) for k in keys))
        find_s = time.perf_counter() - started
        imported, again = await _import_list(IMPORT_ROWS, index, publisher.publish)
    finally:
        await publisher.stop()
        await client.drop_database(db.name)
        await client.close()
    return {
        "identity_register_per_s": people / register_s,
        "identity_known_id_per_s": people / known_s,
        "identity_raw_find_by_id_per_s": people / find_s,
        "identity_people": people,
        "identity_import_rows": IMPORT_ROWS,
        "identity_import_rows_per_s": imported,
        "identity_import_known_rows_per_s": again,
    }


async def _import_list(rows: int, index, publish) -> tuple[float, float]:
    """A citizen list of `rows`: new people, and every 20th row an earlier one again with a
    renewed card (same BHXH number, another group), imported with the CLI's defaults; then the
    same list again as next month's list (another source: every row someone known). Rows/s."""
    rng = random.Random(12)
    citizens = [synth.citizen(rng) for _ in range(rows)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["row_id", "name", "birth_date", "sex", "cccd", "bhyt", "phone"])
            for i, c in enumerate(citizens):
                card = c.bhyt or ""
                if i % 20 == 19:
                    c = citizens[i // 2]
                    card = f"HT3{c.bhyt[3:]}" if c.bhyt else ""
                writer.writerow(
                    [f"r{i}", c.name, c.birth.isoformat(), c.sex, c.cccd, card, c.phone or ""]
                )
        rates = []
        for _ in ("first list", "next month's list"):
            ledger = await bulk_import.import_file(
                path,
                source=f"bench-{uuid.uuid4().hex[:6]}",
                index=index,
                publish=publish,
                restart=True,  # the checkpoint beside the file is the previous list's
            )
            rates.append(ledger.rows_per_s)
    return rates[0], rates[1]
