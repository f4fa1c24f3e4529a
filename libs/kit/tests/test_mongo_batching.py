"""ByIdReader and BatchedInserts over a scripted fake collection: what each caller sees when the
batch succeeds, partly fails or fails as a whole (the real engine: tests/integration)."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import AutoReconnect, BulkWriteError, OperationFailure

from hssk_kit.mongo import BatchedInserts, ByIdReader


class Cursor:
    def __init__(self, docs: list[dict]):
        self._docs = docs

    async def to_list(self, length=None) -> list[dict]:
        return self._docs


class FakeCollection:
    name = "fake"

    def __init__(self, docs: dict | None = None, fail: Exception | None = None):
        self.docs = dict(docs or {})
        self.fail = fail
        self.calls: list[tuple[str, object]] = []

    def find(self, filter_: dict, projection: dict | None = None) -> Cursor:
        self.calls.append(("find", filter_))
        if self.fail:
            raise self.fail
        return Cursor([self.docs[i] for i in filter_["_id"]["$in"] if i in self.docs])

    async def find_one(self, filter_: dict, projection: dict | None = None) -> dict | None:
        self.calls.append(("find_one", filter_))
        if self.fail:
            raise self.fail
        return self.docs.get(filter_["_id"])

    async def insert_many(self, docs: list[dict], ordered: bool) -> None:
        self.calls.append(("insert_many", [d["_id"] for d in docs]))
        if self.fail:
            raise self.fail
        errors = []
        for i, doc in enumerate(docs):
            if doc["_id"] == "poison":
                errors.append({"index": i, "code": 2, "errmsg": "bad value"})
            elif doc["_id"] in self.docs:
                errors.append({"index": i, "code": 11000, "errmsg": "duplicate key"})
            else:
                self.docs[doc["_id"]] = doc
        if errors:
            raise BulkWriteError({"writeErrors": errors, "nInserted": len(docs) - len(errors)})


async def test_one_query_answers_every_concurrent_reader():
    coll = FakeCollection({"a": {"_id": "a"}, "b": {"_id": "b"}})
    reader = ByIdReader(coll)
    found = await asyncio.gather(reader.get("a"), reader.get("b"), reader.get("x"))
    assert found == [{"_id": "a"}, {"_id": "b"}, None]
    assert [c[0] for c in coll.calls] == ["find"]


async def test_a_lone_read_is_a_plain_find_one():
    coll = FakeCollection({"a": {"_id": "a"}})
    assert await ByIdReader(coll).get("a") == {"_id": "a"}
    assert coll.calls == [("find_one", {"_id": "a"})]


async def test_large_waves_are_split_into_bounded_queries():
    coll = FakeCollection({f"k{i}": {"_id": f"k{i}"} for i in range(10)})
    reader = ByIdReader(coll, max_batch=4)
    found = await reader.get_many([f"k{i}" for i in range(10)])
    assert len(found) == 10
    assert [len(c[1]["_id"]["$in"]) for c in coll.calls] == [4, 4, 2]


async def test_a_failed_read_fails_every_caller_of_that_batch():
    reader = ByIdReader(FakeCollection(fail=AutoReconnect("gone")))
    results = await asyncio.gather(reader.get("a"), reader.get("b"), return_exceptions=True)
    assert all(isinstance(r, AutoReconnect) for r in results)


async def test_each_inserter_learns_its_own_outcome():
    coll = FakeCollection({"taken": {"_id": "taken"}})
    inserts = BatchedInserts(coll)
    results = await asyncio.gather(
        inserts.insert({"_id": "new"}),
        inserts.insert({"_id": "taken"}),
        inserts.insert({"_id": "poison"}),
        return_exceptions=True,
    )
    assert results[0] is True and results[1] is False
    assert isinstance(results[2], OperationFailure) and "bad value" in str(results[2])
    assert [c[0] for c in coll.calls] == ["insert_many"]


async def test_a_failed_insert_command_fails_every_caller():
    inserts = BatchedInserts(FakeCollection(fail=AutoReconnect("gone")))
    with pytest.raises(AutoReconnect):
        await inserts.insert_all([{"_id": "a"}, {"_id": "b"}])
