"""MongoDB adapters (FerretDB locally): every read and write goes by `_id` (FerretDB v1 scans for
any other filter), except the ward worklist, the statistics and the daily sweep, which read on
purpose and in bulk. Concurrent reads and inserts share one command per event-loop turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hssk_kit.mongo import (
    BatchedInserts,
    BatchedUpdates,
    BatchedUpserts,
    ByIdReader,
    upsert_by_id,
)
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Task
from hssk_notify.ports import WorkItem
from hssk_notify.stores import Stores

SUMMARY = ("person_id", "kind", "campaign", "status", "channel", "reason", "group", "completed_at")
SUMMARY_FIELDS = dict.fromkeys(SUMMARY, 1)


class MongoStateStore:
    def __init__(self, db: AsyncDatabase):
        self._states = db["notify_states"]
        self._reads = ByIdReader(self._states)
        self._upserts = BatchedUpserts(self._states)  # the sweep saves hundreds at once

    async def get(self, person_id: str) -> CitizenState | None:
        doc = await self._reads.get(person_id)
        return CitizenState.model_validate(doc) if doc else None

    async def save(self, state: CitizenState) -> None:
        doc = state.model_dump(mode="json")
        await self._upserts.upsert(state.person_id, {"$set": doc}, doc)

    async def batches(self, size: int, after: str = "") -> AsyncIterator[list[CitizenState]]:
        # The ids first, in one query read to its end (FerretDB would scan the collection for
        # each `_id > last` page, and a cursor left open while the sweep writes stalls), then
        # the states by `_id`, a batch at a time.
        query = {"_id": {"$gt": after}} if after else {}
        ids = [d["_id"] async for d in self._states.find(query, {"_id": 1}).sort("_id", 1)]
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            found = await self._reads.get_many(chunk)
            yield [CitizenState.model_validate(found[i]) for i in chunk if i in found]


class MongoTaskStore:
    def __init__(self, db: AsyncDatabase):
        self._tasks = db["notify_tasks"]
        self._reads = ByIdReader(self._tasks)
        self._inserts = BatchedInserts(self._tasks)
        self._updates = BatchedUpdates(self._tasks)

    async def add(self, task: Task) -> bool:
        return await self._inserts.insert({"_id": task.id, **task.model_dump(mode="json")})

    async def get(self, task_id: str) -> Task | None:
        doc = await self._reads.get(task_id)
        return Task.model_validate(doc) if doc else None

    async def get_many(self, task_ids: Sequence[str]) -> list[Task]:
        found = await self._reads.get_many(list(task_ids))
        return [Task.model_validate(found[i]) for i in task_ids if i in found]

    async def put(self, task: Task) -> None:
        await self._updates.update(task.id, {"$set": task.model_dump(mode="json")})

    async def summary(self) -> list[dict]:
        rows = await self._tasks.find({}, SUMMARY_FIELDS).to_list(None)
        return [{**r, "completed": r.get("completed_at") is not None} for r in rows]


class MongoDueIndex:
    """One document per due minute listing its task ids. FerretDB v1 loses one of two concurrent
    updates of one document (measured: 209 of 300 `$addToSet`s into one minute lost), so this
    process has one writer: adds wait in line and each turn writes one `$addToSet: {$each}` per
    minute. (Run one scheduler worker per database; docs/notify.md says why.)"""

    def __init__(self, db: AsyncDatabase):
        self._due = db["notify_due"]
        self._cursors = db["notify_cursors"]
        self._leases = db["notify_leases"]
        self._pending: list[tuple[str, str, asyncio.Future[None]]] = []
        self._writer = asyncio.Lock()

    async def add(self, minute: str, task_id: str) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((minute, task_id, done))
        async with self._writer:
            batch, self._pending = self._pending, []
            if batch:
                await self._write(batch)
        await done

    async def _write(self, batch: list[tuple[str, str, asyncio.Future[None]]]) -> None:
        by_minute: dict[str, list[str]] = {}
        for minute, task_id, _ in batch:
            by_minute.setdefault(minute, []).append(task_id)
        try:
            for minute, ids in by_minute.items():
                update = {"$addToSet": {"tasks": {"$each": ids}}}
                await upsert_by_id(self._due, minute, update, {"tasks": sorted(set(ids))})
        except Exception as exc:  # every waiting add learns it was not stored
            for *_, f in batch:
                f.set_exception(exc)
            return
        for *_, f in batch:
            f.set_result(None)

    async def due(self, minute: str) -> list[str]:
        doc = await self._due.find_one({"_id": minute})
        return list(doc["tasks"]) if doc else []

    async def cursor(self, name: str) -> str | None:
        doc = await self._cursors.find_one({"_id": name})
        return doc["at"] if doc else None

    async def move(self, name: str, value: str) -> None:
        await upsert_by_id(self._cursors, name, {"$set": {"at": value}}, {"at": value})

    async def claim(self, term: str, holder: str) -> str:
        try:
            await self._leases.insert_one({"_id": term, "holder": holder})
            return holder
        except DuplicateKeyError:
            doc = await self._leases.find_one({"_id": term})
            return str(doc["holder"]) if doc else ""

    async def forget(self, term: str) -> None:
        await self._leases.delete_one({"_id": term})


class MongoNumberLog:
    def __init__(self, db: AsyncDatabase):
        self._numbers = db["notify_numbers"]

    async def sent(self, address: str) -> list[datetime]:
        doc = await self._numbers.find_one({"_id": address})
        return [datetime.fromisoformat(s) for s in (doc or {}).get("sent", [])]

    async def add(self, address: str, at: datetime) -> None:
        kept = [s for s in await self.sent(address) if s > at - timedelta(days=1)]
        sent = [s.isoformat() for s in (*kept, at)]
        await upsert_by_id(self._numbers, address, {"$set": {"sent": sent}}, {"sent": sent})


class MongoWorklist:
    def __init__(self, db: AsyncDatabase):
        self._items = db["notify_worklist"]

    async def put(self, item: WorkItem) -> None:
        doc = asdict(item)
        await upsert_by_id(self._items, item.person_id, {"$set": doc}, doc)

    async def remove(self, person_id: str) -> None:
        await self._items.delete_one({"_id": person_id})

    async def for_ward(self, ward_code: str, limit: int) -> list[WorkItem]:
        docs = await self._items.find({"ward_code": ward_code}).sort("since", 1).to_list(limit)
        return [WorkItem(**{k: v for k, v in d.items() if k != "_id"}) for d in docs]


def mongo_stores(db: AsyncDatabase) -> Stores:
    return Stores(
        states=MongoStateStore(db),
        tasks=MongoTaskStore(db),
        due=MongoDueIndex(db),
        numbers=MongoNumberLog(db),
        worklist=MongoWorklist(db),
    )
