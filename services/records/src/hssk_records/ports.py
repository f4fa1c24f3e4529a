"""What the records handlers need from the outside world."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from hssk_records.domain.access_log import Entry, Head
from hssk_records.domain.corrections import Correction
from hssk_records.domain.emergency import Grant
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.events import RecordEvent
from hssk_records.domain.record import Record
from hssk_records.domain.sharing import Share
from hssk_records.domain.stats.journal import Catalog, Journal
from hssk_records.domain.stats.shares import PersonShare, ReminderShare, VisitShare


class ConcurrentUpdate(Exception):
    """Someone else wrote the record's next version first; reload and apply again."""


class RecordRepository(Protocol):
    """The current state of each record (a projection of its events), `_id` = person_id."""

    async def get(self, person_id: str) -> Record | None: ...

    async def save(self, record: Record) -> bool:
        """Store `record` unless the same or a later version is stored (False then)."""


class EventLog(Protocol):
    """Each record's history: immutable events, `_id` "<person_id>:<version>"."""

    async def append(self, event: RecordEvent) -> bool:
        """Store `event`; False (storing nothing) if its version exists: the arbiter between
        writers of one record."""

    async def get(self, person_id: str, version: int) -> RecordEvent | None: ...

    async def versions(self, person_id: str, versions: list[int]) -> dict[int, RecordEvent]: ...


class EncounterStore(Protocol):
    """Whole visits, latest revision, `_id` "<facility>:<visit_id>"."""

    async def get(self, key: str) -> StoredEncounter | None: ...

    async def get_many(self, keys: list[str]) -> dict[str, StoredEncounter]: ...

    async def put(self, encounter: StoredEncounter) -> None: ...


class AccessLogStore(Protocol):
    """The hash-chained access logs: entries keyed by (subject, seq), one head per subject."""

    async def head(self, subject: str) -> Head | None: ...

    async def entries(self, subject: str, seqs: list[int]) -> dict[int, Entry]: ...

    async def insert(self, entry: Entry) -> bool:
        """Store `entry`; False (storing nothing) if its (subject, seq) is taken."""

    async def save_head(self, head: Head) -> None: ...


class GrantStore(Protocol):
    """Open emergency accesses."""

    async def get(self, doctor: str, person_id: str) -> Grant | None: ...

    async def save(self, grant: Grant) -> None: ...


class Allowances(Protocol):
    """Counted allowances shared by every replica: a doctor's emergency accesses a day, a QR
    code's redeem attempts, a client address's attempts a minute."""

    async def take(self, key: str, limit: int) -> bool:
        """Use one of the `limit` uses of `key`; False if none is left."""


class QrLedger(Protocol):
    async def use(self, token_id: str, person_id: str) -> bool:
        """Mark the QR token used; False if it was used before (single use, across replicas)."""


class ShareStore(Protocol):
    async def add(self, share: Share) -> None: ...

    async def get(self, share_id: str) -> Share | None: ...

    async def save(self, share: Share) -> None: ...

    async def of_person(self, person_id: str) -> list[Share]: ...


class PersonKeys(Protocol):
    """Which person holds an identifier's match key ("cccd:..."), as identity announced it."""

    async def person_of(self, keys: list[str]) -> str | None: ...

    async def remember(self, keys: list[str], person_id: str) -> None: ...


class CorrectionStore(Protocol):
    async def add(self, correction: Correction) -> None: ...

    async def of_person(self, person_id: str) -> list[Correction]: ...


class Sessions(Protocol):
    """Citizen sessions after a QR code is redeemed: tokens every service accepts."""

    def mint(self, person_id: str) -> tuple[str, datetime]:
        """(a bearer token for the citizen, when it expires)."""
        ...


class StatsStore(Protocol):
    """The statistics' state: every citizen's, visit's and reminder's share, the tally
    documents (each partition of the topic folded its own, so each has one writer), and per
    source topic and partition the journal of its last batch and the catalog of what it
    finished (`source` "": records.change.v1)."""

    async def journal(self, partition: int, source: str = "") -> Journal | None: ...

    async def save_journal(self, journal: Journal) -> None: ...

    async def catalogs(self, partitions: list[int], source: str = "") -> dict[int, Catalog]: ...

    async def save_catalog(self, catalog: Catalog) -> None: ...

    async def offsets(self, tallies: list[str]) -> dict[str, int]:
        """The offset each tally document was last written at (absent: never written)."""

    async def add(
        self, deltas: dict[str, dict[str, int]], offset: int, known: Collection[str] = ()
    ) -> None:
        """Add each tally's cell changes and mark the tally written at `offset`; `known`
        tallies exist (the catalog lists them)."""

    async def tallies(self, ids: list[str]) -> dict[str, dict[str, int]]: ...

    async def people(self, ids: list[str]) -> dict[str, PersonShare]: ...

    async def visits(self, keys: list[str]) -> dict[str, VisitShare]: ...

    async def reminders(self, ids: list[str]) -> dict[str, ReminderShare]: ...

    async def keep(
        self,
        people: dict[str, PersonShare],
        visits: dict[str, VisitShare],
        reminders: dict[str, ReminderShare] | None = None,
    ) -> None: ...
