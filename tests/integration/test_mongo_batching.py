"""kit.mongo's batching on the real FerretDB: concurrent reads by `_id` share one `$in` query
(which the patched FerretDB answers from the `_id` index), concurrent inserts share one
`insert_many`, and every caller still gets its own answer."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
from pymongo import AsyncMongoClient, UpdateOne, monitoring

from hssk_kit.mongo import BatchedInserts, BatchedUpserts, ByIdReader, update_each
from tests.conftest import MONGO_URL


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.seen[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def scratch(engines_up):
    commands = Commands()
    client: AsyncMongoClient = AsyncMongoClient(MONGO_URL, event_listeners=[commands])
    db = client[f"hssk_test_batching_{uuid.uuid4().hex[:8]}"]
    yield db["docs"], commands
    await client.drop_database(db.name)
    await client.close()


async def test_concurrent_reads_by_id_share_one_query(scratch):
    docs, commands = scratch
    await docs.insert_many([{"_id": f"k{i}", "n": i} for i in range(50)])
    reader = ByIdReader(docs)
    commands.seen.clear()

    asked = [f"k{i}" for i in range(50)] + ["k7", "k7", "missing-1", "missing-2"]
    found = await asyncio.gather(*(reader.get(k) for k in asked))

    assert [d["n"] if d else None for d in found] == [*range(50), 7, 7, None, None]
    assert found[7] == found[50] and found[7] is not found[50]  # each caller its own copy
    assert commands.seen["find"] == 1


async def test_a_read_sees_the_write_its_caller_awaited(scratch):
    docs, _ = scratch
    inserts, reader = BatchedInserts(docs), ByIdReader(docs)
    assert await reader.get("late") is None
    assert await inserts.insert({"_id": "late", "n": 1})
    assert (await reader.get("late"))["n"] == 1


async def test_concurrent_inserts_share_one_insert_and_each_learns_its_outcome(scratch):
    docs, commands = scratch
    await docs.insert_one({"_id": "taken", "by": "earlier"})
    inserts = BatchedInserts(docs)
    commands.seen.clear()

    outcomes = await asyncio.gather(
        inserts.insert({"_id": "taken", "by": "a"}),
        inserts.insert({"_id": "b", "by": "first"}),
        inserts.insert({"_id": "b", "by": "second"}),
        inserts.insert({"_id": "c", "by": "c"}),
    )

    assert outcomes == [False, True, False, True]
    assert commands.seen["insert"] == 1
    stored = {d["_id"]: d["by"] async for d in docs.find({})}
    assert stored == {"taken": "earlier", "b": "first", "c": "c"}


async def test_concurrent_upserts_share_one_update_and_create_only_the_new(scratch):
    docs, commands = scratch
    await docs.insert_many([{"_id": f"old{i}", "n": 0} for i in range(20)])
    upserts = BatchedUpserts(docs)
    commands.seen.clear()

    await asyncio.gather(*(upserts.upsert(f"old{i}", {"$set": {"n": i}}, {"n": i})
                           for i in range(20)))  # fmt: skip
    assert (commands.seen["update"], commands.seen["find"], commands.seen["insert"]) == (1, 0, 0)
    await asyncio.gather(*(upserts.upsert(k, {"$set": {"n": 7}}, {"n": 7})
                           for k in ("old3", "new1", "new2")))  # fmt: skip

    stored = {d["_id"]: d["n"] async for d in docs.find({})}
    assert stored == {**{f"old{i}": i for i in range(20)}, "old3": 7, "new1": 7, "new2": 7}


async def test_in_on_id_is_pushed_down_to_sqlite(scratch):
    """infra/ferretdb/patches/0001-id-in-pushdown.patch: stock FerretDB v1 filters `$in` in Go
    after reading the whole table. (FerretDB's explain shows SCAN even for a single-`_id` lookup
    that the index serves, so only the pushdown flag is checked; `make bench` measures speed.)"""
    docs, _ = scratch
    await docs.insert_many([{"_id": f"k{i}"} for i in range(20)])

    async def pushed_down(filter_: dict) -> bool:
        plan = await docs.database.command({"explain": {"find": "docs", "filter": filter_}})
        return plan["filterPushdown"]

    assert await pushed_down({"_id": {"$in": ["k1", "k2"]}})
    assert not await pushed_down({"_id": {"$in": ["k1", 2]}})  # only strings and ObjectIds
    assert not await pushed_down({"_id": {"$nin": ["k1"]}})


async def test_bulk_reads_inserts_and_updates_take_few_commands(scratch):
    docs, commands = scratch
    inserts = BatchedInserts(docs, max_batch=100)
    stored = await inserts.insert_all([{"_id": f"d{i}", "n": [i]} for i in range(250)])
    assert stored == [True] * 250 and commands.seen["insert"] == 3
    assert await inserts.insert_all([{"_id": "d1"}, {"_id": "new"}]) == [False, True]

    updates = {f"d{i}": {"$addToSet": {"n": {"$each": [i, -i]}}} for i in range(120)}
    await update_each(docs, {**updates, "missing": {"$set": {"n": []}}}, per_command=50)

    assert commands.seen["update"] == 3  # 121 statements, 50 to a command
    found = await ByIdReader(docs, max_batch=100).get_many([f"d{i}" for i in range(250)] + ["x"])
    assert len(found) == 250 and commands.seen["find"] == 3
    assert found["d7"]["n"] == [7, -7] and found["d0"]["n"] == [0]
    assert found["d200"]["n"] == [200]
    assert await docs.find_one({"_id": "missing"}) is None


@pytest.mark.timeout(60)
async def test_an_update_of_hundreds_of_statements_and_concurrent_ones_complete(scratch):
    """Stock FerretDB v1 hung here: each statement kept a pooled SQLite connection (100 in all)
    until its command ended (infra/ferretdb/patches/0005)."""
    docs, _ = scratch
    await docs.insert_many([{"_id": f"u{i}", "n": []} for i in range(1_000)])

    await update_each(docs, {f"u{i}": {"$addToSet": {"n": i}} for i in range(400)})
    await asyncio.gather(
        *(
            docs.bulk_write(
                [
                    UpdateOne({"_id": f"u{j * 150 + i}"}, {"$addToSet": {"n": -1}})
                    for i in range(150)
                ]
            )
            for j in range(4)
        )
    )

    found = await ByIdReader(docs).get_many(["u0", "u399", "u599", "u700"])
    assert [found[k]["n"] for k in ("u0", "u399", "u599", "u700")] == [[0, -1], [399, -1], [-1], []]
