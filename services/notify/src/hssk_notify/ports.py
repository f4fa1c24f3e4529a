"""What the notify handlers need from the outside world."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hssk_notify.domain.messages import Channel, Message, Receipt
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Task


class StateStore(Protocol):
    async def get(self, person_id: str) -> CitizenState | None: ...

    async def save(self, state: CitizenState) -> None: ...

    def batches(self, size: int, after: str = "") -> AsyncIterator[list[CitizenState]]:
        """States in person_id order after `after`, `size` at a time (the daily sweep)."""


class TaskStore(Protocol):
    async def add(self, task: Task) -> bool:
        """Store a new task; False (and nothing changed) when its id is known already."""

    async def get(self, task_id: str) -> Task | None: ...

    async def get_many(self, task_ids: Sequence[str]) -> list[Task]: ...

    async def put(self, task: Task) -> None:
        """Store the task's new status (its id exists)."""

    async def summary(self) -> list[dict]:
        """Every task's kind, campaign, group, status, channel, reason and completion (stats)."""


class DueIndex(Protocol):
    """Tasks by the minute they fall due (`_id` = "YYYY-MM-DDTHH:MM" UTC), and the scheduler's
    cursor: due tasks are read by `_id`, never by scanning citizens."""

    async def add(self, minute: str, task_id: str) -> None: ...

    async def due(self, minute: str) -> list[str]: ...

    async def cursor(self, name: str) -> str | None: ...

    async def move(self, name: str, value: str) -> None: ...

    async def claim(self, term: str, holder: str) -> str:
        """Take the lease term `term` for `holder` unless someone took it first; answers who
        holds it. One document per term, created once (a unique `_id`): atomic on every engine."""

    async def forget(self, term: str) -> None:
        """Drop a lease term long past."""


class NumberLog(Protocol):
    """When messages went to one address (a phone number): the 3-per-24-hours cap."""

    async def sent(self, address: str) -> list[datetime]: ...

    async def add(self, address: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class WorkItem:
    person_id: str
    ward_code: str
    reason: str  # no_channel or failed
    ask: str  # the missing item to ask them about ("" for an appointment)
    since: datetime


class Worklist(Protocol):
    """Citizens no channel can reach, for their ward's health officer."""

    async def put(self, item: WorkItem) -> None: ...

    async def remove(self, person_id: str) -> None: ...

    async def for_ward(self, ward_code: str, limit: int) -> list[WorkItem]: ...


class Sender(Protocol):
    """One channel's adapter. Never raises for a provider's refusal or a network failure: it
    answers a Receipt whose error class the ladder acts on."""

    channel: Channel

    async def send(self, message: Message) -> Receipt: ...
