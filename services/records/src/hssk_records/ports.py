"""What the records handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from hssk_records.domain.access_log import Entry, Head
from hssk_records.domain.emergency import Grant
from hssk_records.domain.record import Record


class ConcurrentUpdate(Exception):
    """Someone else stored a newer version first; reload and apply again."""


class RecordRepository(Protocol):
    async def get(self, person_id: str) -> Record | None: ...

    async def save(self, record: Record, expected_version: int) -> None:
        """Store `record` if the stored version is still `expected_version` (0: none stored);
        otherwise raise ConcurrentUpdate."""


class AccessLogStore(Protocol):
    """The hash-chained access logs: entries keyed by (subject, seq), one head per subject."""

    async def head(self, subject: str) -> Head | None: ...

    async def entries(self, subject: str, seqs: list[int]) -> dict[int, Entry]: ...

    async def insert(self, entry: Entry) -> bool:
        """Store `entry`; False (storing nothing) if its (subject, seq) is taken."""

    async def save_head(self, head: Head) -> None: ...


class GrantStore(Protocol):
    """Open emergency accesses, and each doctor's daily allowance of them."""

    async def get(self, doctor: str, person_id: str) -> Grant | None: ...

    async def save(self, grant: Grant) -> None: ...

    async def take_slot(self, doctor: str, day: str, limit: int) -> bool:
        """Use one of the doctor's `limit` emergency accesses of `day`; False if none is left."""


class PersonKeys(Protocol):
    """Which person holds an identifier's match key ("cccd:..."), as identity announced it."""

    async def person_of(self, keys: list[str]) -> str | None: ...

    async def remember(self, keys: list[str], person_id: str) -> None: ...
