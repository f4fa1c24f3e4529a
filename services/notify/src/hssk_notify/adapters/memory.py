"""In-memory fakes of notify's stores, for unit tests (the same behaviour as adapters/mongo.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Task
from hssk_notify.ports import WorkItem
from hssk_notify.stores import Stores


class InMemoryStateStore:
    def __init__(self) -> None:
        self.states: dict[str, CitizenState] = {}

    async def get(self, person_id: str) -> CitizenState | None:
        return self.states.get(person_id)

    async def save(self, state: CitizenState) -> None:
        self.states[state.person_id] = state

    async def batches(self, size: int, after: str = "") -> AsyncIterator[list[CitizenState]]:
        ids = sorted(i for i in self.states if i > after)
        for start in range(0, len(ids), size):
            yield [self.states[i] for i in ids[start : start + size]]


SUMMARY_KEYS = {"person_id", "kind", "campaign", "status", "channel", "reason", "group"}


class InMemoryTaskStore:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}

    async def add(self, task: Task) -> bool:
        if task.id in self.tasks:
            return False
        self.tasks[task.id] = task
        return True

    async def get(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    async def get_many(self, task_ids: Sequence[str]) -> list[Task]:
        return [self.tasks[i] for i in task_ids if i in self.tasks]

    async def put(self, task: Task) -> None:
        self.tasks[task.id] = task

    async def summary(self) -> list[dict]:
        return [
            {
                **t.model_dump(include=SUMMARY_KEYS),
                "completed": t.completed_at is not None,
            }
            for t in self.tasks.values()
        ]


class InMemoryDueIndex:
    def __init__(self) -> None:
        self.minutes: dict[str, list[str]] = {}
        self.cursors: dict[str, str] = {}
        self.leases: dict[str, str] = {}

    async def add(self, minute: str, task_id: str) -> None:
        ids = self.minutes.setdefault(minute, [])
        if task_id not in ids:
            ids.append(task_id)

    async def due(self, minute: str) -> list[str]:
        return list(self.minutes.get(minute, []))

    async def cursor(self, name: str) -> str | None:
        return self.cursors.get(name)

    async def move(self, name: str, value: str) -> None:
        self.cursors[name] = value

    async def claim(self, term: str, holder: str) -> str:
        return self.leases.setdefault(term, holder)

    async def forget(self, term: str) -> None:
        self.leases.pop(term, None)


class InMemoryNumberLog:
    def __init__(self) -> None:
        self.numbers: dict[str, list[datetime]] = {}

    async def sent(self, address: str) -> list[datetime]:
        return list(self.numbers.get(address, []))

    async def add(self, address: str, at: datetime) -> None:
        kept = [s for s in self.numbers.get(address, []) if s > at - timedelta(days=1)]
        self.numbers[address] = [*kept, at]


class InMemoryWorklist:
    def __init__(self) -> None:
        self.items: dict[str, WorkItem] = {}

    async def put(self, item: WorkItem) -> None:
        self.items[item.person_id] = item

    async def remove(self, person_id: str) -> None:
        self.items.pop(person_id, None)

    async def for_ward(self, ward_code: str, limit: int) -> list[WorkItem]:
        found = sorted((i for i in self.items.values() if i.ward_code == ward_code),
                       key=lambda i: i.since)  # fmt: skip
        return found[:limit]


def in_memory_stores() -> Stores:
    return Stores(
        states=InMemoryStateStore(),
        tasks=InMemoryTaskStore(),
        due=InMemoryDueIndex(),
        numbers=InMemoryNumberLog(),
        worklist=InMemoryWorklist(),
    )
