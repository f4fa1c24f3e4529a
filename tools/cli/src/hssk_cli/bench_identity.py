"""Identity throughput in one worker process: resolutions of people whose personal ID is already
known (the common case: a returning patient), through the real adapters on FerretDB and the real
publisher, beside the raw find-by-_id rate of the same database."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime

from hssk_cli import stack, synth
from hssk_contracts.visit import Identifier
from hssk_identity.bootstrap import build_index
from hssk_identity.handlers import Query, resolve
from hssk_kit import mongo
from hssk_kit.bus import Publisher

CONCURRENCY = 64


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
    finally:
        await publisher.stop()
        await client.drop_database(db.name)
        await client.close()
    return {
        "identity_register_per_s": people / register_s,
        "identity_known_id_per_s": people / known_s,
        "identity_raw_find_by_id_per_s": people / find_s,
        "identity_people": people,
    }
