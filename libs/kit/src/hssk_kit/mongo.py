"""The MongoDB client factory and the batching helpers every adapter uses. The only kit module
importing the driver (PyMongo's native asyncio API; Motor, its thread-pool wrapper, is
deprecated upstream)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from hssk_kit import metrics

DUPLICATE_KEY = 11000


def connect(url: str, db: str) -> tuple[AsyncMongoClient, AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(
        url,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        tz_aware=True,
        uuidRepresentation="standard",
    )
    return client, client[db]


async def ping(db: AsyncDatabase) -> None:
    await db.command("ping")


class _PerTurnBatches(ABC):
    """What concurrent callers ask during one event-loop turn, handed to `_run` in batches of at
    most `max_batch`; each caller awaits its own future."""

    def __init__(self, max_batch: int):
        self._max_batch = max_batch
        self._waiting: list[tuple[Any, asyncio.Future[Any]]] = []
        self._flushing = False
        self._running: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    async def _ask(self, item: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._flushing = False
        waiting, self._waiting = self._waiting, []
        for start in range(0, len(waiting), self._max_batch):
            task = asyncio.ensure_future(self._settle(waiting[start : start + self._max_batch]))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _settle(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        try:
            results = await self._run([item for item, _ in batch])
        except BaseException as exc:  # nothing is known to have happened: every caller sees it
            for _, f in batch:
                if not f.done():
                    f.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, f), result in zip(batch, results, strict=True):
            if f.done():
                continue
            if isinstance(result, BaseException):
                f.set_exception(result)
            else:
                f.set_result(result)

    @abstractmethod
    async def _run(self, items: list[Any]) -> list[Any]:
        """One result (or exception instance) per item, in order."""


class ByIdReader(_PerTurnBatches):
    """Reads documents by `_id` for many concurrent callers with one `{"_id": {"$in": [...]}}`
    query per event-loop turn (the "data loader" pattern): 32 resolutions in flight asking for
    their identifiers cost one round trip instead of 32. Each read is sent after it is asked
    for, so it sees every write its caller awaited before asking.

    Needs `$in` on `_id` to use the index: MongoDB does; FerretDB v1 only with
    infra/ferretdb/patches/0001-id-in-pushdown.patch (stock v1.24 scans the collection)."""

    def __init__(self, collection: Any, max_batch: int = 1000, fields: list[str] | None = None):
        """`fields`: read only these (and `_id`), e.g. a version to compare."""
        super().__init__(max_batch)
        self._collection = collection
        self._projection = dict.fromkeys(fields, 1) if fields else None

    async def get(self, _id: Any) -> dict | None:
        return await self._ask(_id)

    async def get_many(self, ids: list[Any]) -> dict[Any, dict]:
        """Already a batch: read at once, `max_batch` ids a query, not joined to other callers'."""
        unique = list(dict.fromkeys(ids))
        found: dict[Any, dict] = {}
        for start in range(0, len(unique), self._max_batch):
            docs = await self._run(unique[start : start + self._max_batch])
            found.update((doc["_id"], doc) for doc in docs if doc is not None)
        return found

    async def _run(self, ids: list[Any]) -> list[dict | None]:
        unique = list(dict.fromkeys(ids))
        metrics.MONGO_BATCH.labels(self._collection.name, "read").observe(len(unique))
        if len(unique) == 1:
            found = await self._collection.find_one({"_id": unique[0]}, self._projection)
            docs = [found] if found else []
        else:
            query = {"_id": {"$in": unique}}
            docs = await self._collection.find(query, self._projection).to_list(None)
        by_id = {d["_id"]: d for d in docs}
        seen: set[Any] = set()
        results = []
        for _id in ids:  # callers asking for the same _id get their own copy
            doc = by_id.get(_id)
            results.append(doc if doc is None or _id not in seen else dict(doc))
            seen.add(_id)
        return results


class BatchedInserts(_PerTurnBatches):
    """Inserts documents for many concurrent callers with one unordered `insert_many` per
    event-loop turn: FerretDB stores a batch in one transaction (tens of thousands of documents
    a second against ~4,000 single inserts). Each caller learns whether its own document was
    stored or its `_id` was already taken, exactly as with `insert_one`; two callers racing for
    one `_id` in the same batch get one True and one False."""

    def __init__(self, collection: Any, max_batch: int = 512):
        super().__init__(max_batch)
        self._collection = collection

    async def insert(self, doc: dict) -> bool:
        """True if stored, False if a document with its `_id` exists."""
        return await self._ask(doc)

    async def insert_all(self, docs: list[dict]) -> list[bool]:
        """Already a batch: inserted at once, `max_batch` documents a command; raises the first
        error other than a duplicate `_id` (after trying every document)."""
        results: list[bool | BaseException] = []
        for start in range(0, len(docs), self._max_batch):
            results += await self._run(docs[start : start + self._max_batch])
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [bool(r) for r in results]

    async def _run(self, docs: list[dict]) -> list[bool | BaseException]:
        metrics.MONGO_BATCH.labels(self._collection.name, "insert").observe(len(docs))
        results: list[bool | BaseException] = [True] * len(docs)
        try:
            await self._collection.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                duplicate = error.get("code") == DUPLICATE_KEY
                results[error["index"]] = False if duplicate else OperationFailure(error["errmsg"])
        return results


class BatchedUpdates(_PerTurnBatches):
    """Updates documents by `_id` for many concurrent callers with one unordered `bulk_write`
    per event-loop turn (FerretDB still applies them one by one, but in one command instead of
    one each). An update may name further conditions (`where`, e.g. a version guard); a bulk
    result says only how many statements matched, so a caller learns True (its statement
    matched) or False (it did not) when the count tells, and None when it cannot.

    FerretDB v1 answers a filter naming `_id` from its index only with
    infra/ferretdb/patches/0007-any-filter-on-id-uses-the-id-index.patch."""

    def __init__(self, collection: Any, max_batch: int = 256):
        super().__init__(max_batch)
        self._collection = collection

    async def update(self, _id: Any, update: dict, where: dict | None = None) -> bool | None:
        """Whether the statement matched a document (None: unknown, see above)."""
        return await self._ask((_id, update, where or {}))

    async def _run(self, items: list[tuple[Any, dict, dict]]) -> list[bool | None]:
        metrics.MONGO_BATCH.labels(self._collection.name, "update").observe(len(items))
        result = await self._collection.bulk_write(
            [UpdateOne({**where, "_id": _id}, update) for _id, update, where in items],
            ordered=False,
        )
        told = {len(items): True, 0: False}.get(result.matched_count)
        return [told] * len(items)


class BatchedUpserts(_PerTurnBatches):
    """Upserts by `_id` for many concurrent callers: one unordered `bulk_write` of updates per
    event-loop turn; when it matched fewer documents than it had statements (some were new),
    those are found by one `$in` read and created one by one (`upsert_by_id`). Callers must not
    upsert one `_id` twice at once (FerretDB v1 loses one of two concurrent updates anyway)."""

    def __init__(self, collection: Any, max_batch: int = 256):
        super().__init__(max_batch)
        self._collection = collection

    async def upsert(self, _id: Any, update: dict, new_doc: dict) -> None:
        await self._ask((_id, update, new_doc))

    async def _run(self, items: list[tuple[Any, dict, dict]]) -> list[None]:
        metrics.MONGO_BATCH.labels(self._collection.name, "upsert").observe(len(items))
        done = await self._collection.bulk_write(
            [UpdateOne({"_id": _id}, update) for _id, update, _ in items], ordered=False
        )
        if done.matched_count < len(items):
            ids = [_id for _id, _, _ in items]
            held = {
                d["_id"]
                for d in await self._collection.find({"_id": {"$in": ids}}, {"_id": 1}).to_list(
                    None
                )
            }
            for _id, update, new_doc in items:
                if _id not in held:
                    await upsert_by_id(self._collection, _id, update, new_doc)
        return [None] * len(items)


UPDATES_PER_COMMAND = 500  # stock FerretDB v1 hung at 100 (infra/ferretdb/patches/0005)


async def update_each(
    collection: Any, updates: dict[Any, dict], per_command: int = UPDATES_PER_COMMAND
) -> None:
    """Apply `updates[_id]` to each document `_id`, many to a command (no round trip each;
    FerretDB still applies them one by one). A missing document is left missing."""
    statements = [UpdateOne({"_id": _id}, update) for _id, update in updates.items()]
    for start in range(0, len(statements), per_command):
        chunk = statements[start : start + per_command]
        metrics.MONGO_BATCH.labels(collection.name, "update").observe(len(chunk))
        await collection.bulk_write(chunk, ordered=False)


async def is_ferretdb(db: AsyncDatabase) -> bool:
    info = await db.command("buildInfo")
    return "ferretdb" in info or "ferretdbVersion" in info


async def upsert_by_id(collection, _id: str, update: dict, new_doc: dict) -> None:
    """Update the document `_id`, or create it as `new_doc` if absent.

    FerretDB v1 only avoids a full scan when a filter is exactly `{"_id": …}`, and its upsert and
    replace paths scan, so this uses only `update_one({"_id"})` and `insert_one`."""
    if (await collection.update_one({"_id": _id}, update)).matched_count:
        return
    try:
        await collection.insert_one({"_id": _id, **new_doc})
    except DuplicateKeyError:  # created concurrently: apply the update to it
        await collection.update_one({"_id": _id}, update)


async def put_all_by_id(collection: Any, docs: dict[str, dict[str, Any]]) -> None:
    """Store each document whole under its `_id`: inserted if new, replaced field by field if
    not (by `_id` only, the one filter FerretDB v1 does not scan for)."""
    if not docs:
        return
    ids = list(docs)
    held = {
        d["_id"] for d in await collection.find({"_id": {"$in": ids}}, {"_id": 1}).to_list(None)
    }
    new = [{"_id": k, **docs[k]} for k in ids if k not in held]
    taken: set[str] = set()
    if new:
        try:
            await collection.insert_many(new, ordered=False)
        except BulkWriteError as exc:  # created meanwhile: replace them as well
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            taken = {new[e["index"]]["_id"] for e in errors}
    updates = [UpdateOne({"_id": k}, {"$set": docs[k]}) for k in ids if k in held | taken]
    if updates:
        await collection.bulk_write(updates, ordered=False)
