"""The stores every notify use case works with, built once in bootstrap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hssk_notify.ports import DueIndex, NumberLog, StateStore, TaskStore, Worklist


@dataclass(frozen=True)
class Stores:
    states: StateStore
    tasks: TaskStore
    due: DueIndex
    numbers: NumberLog
    worklist: Worklist
    locks: PersonLocks = field(default_factory=lambda: PersonLocks())


def minute(at: datetime) -> str:
    """The due bucket of an instant: its UTC minute."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def next_minute(key: str) -> str:
    return minute(
        datetime.strptime(key, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC) + timedelta(minutes=1)
    )


class PersonLocks:
    """One writer per citizen's state in this process: the change and contact topics, the
    scheduler and the preferences route all read-modify-write it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, person_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(person_id, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked() and not lock._waiters:  # type: ignore[attr-defined]
                self._locks.pop(person_id, None)
