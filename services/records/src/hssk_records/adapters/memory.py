"""In-memory fakes of the records ports, for fast unit tests (proven against FerretDB by the
shared adapter suite in tests/integration/test_adapters.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from hssk_records.domain.access_log import Entry, Head
from hssk_records.domain.corrections import Correction
from hssk_records.domain.emergency import Grant, grant_key
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.events import RecordEvent, event_key
from hssk_records.domain.record import Record
from hssk_records.domain.sharing import Share
from hssk_records.domain.stats.journal import Catalog, Journal
from hssk_records.domain.stats.shares import PersonShare, ReminderShare, VisitShare


class InMemoryRecordRepository:
    def __init__(self) -> None:
        self.records: dict[str, Record] = {}

    async def get(self, person_id: str) -> Record | None:
        return self.records.get(person_id)

    async def save(self, record: Record) -> bool:
        current = self.records.get(record.person_id)
        if current is not None and current.version >= record.version:
            return False
        self.records[record.person_id] = record
        return True


class InMemoryEventLog:
    def __init__(self) -> None:
        self.events: dict[str, RecordEvent] = {}

    async def append(self, event: RecordEvent) -> bool:
        if event.key in self.events:
            return False
        self.events[event.key] = event
        return True

    async def get(self, person_id: str, version: int) -> RecordEvent | None:
        return self.events.get(event_key(person_id, version))

    async def versions(self, person_id: str, versions: list[int]) -> dict[int, RecordEvent]:
        found = (self.events.get(event_key(person_id, v)) for v in versions)
        return {e.version: e for e in found if e is not None}


class InMemoryEncounterStore:
    def __init__(self) -> None:
        self.encounters: dict[str, StoredEncounter] = {}

    async def get(self, key: str) -> StoredEncounter | None:
        return self.encounters.get(key)

    async def get_many(self, keys: list[str]) -> dict[str, StoredEncounter]:
        return {k: self.encounters[k] for k in keys if k in self.encounters}

    async def put(self, encounter: StoredEncounter) -> None:
        self.encounters[encounter.key] = encounter


class InMemoryAccessLogStore:
    def __init__(self) -> None:
        self.heads: dict[str, Head] = {}
        self.stored: dict[str, Entry] = {}

    async def head(self, subject: str) -> Head | None:
        return self.heads.get(subject)

    async def entries(self, subject: str, seqs: list[int]) -> dict[int, Entry]:
        found = (self.stored.get(Entry(subject, s, "", {}, "", "").key) for s in seqs)
        return {e.seq: e for e in found if e is not None}

    async def insert(self, entry: Entry) -> bool:
        if entry.key in self.stored:
            return False
        self.stored[entry.key] = entry
        return True

    async def save_head(self, head: Head) -> None:
        self.heads[head.subject] = head


class InMemoryGrantStore:
    def __init__(self) -> None:
        self.grants: dict[str, Grant] = {}

    async def get(self, doctor: str, person_id: str) -> Grant | None:
        return self.grants.get(grant_key(doctor, person_id))

    async def save(self, grant: Grant) -> None:
        self.grants[grant.key] = grant


class InMemoryAllowances:
    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    async def take(self, key: str, limit: int) -> bool:
        if self.used.get(key, 0) >= limit:
            return False
        self.used[key] = self.used.get(key, 0) + 1
        return True


class InMemoryQrLedger:
    def __init__(self) -> None:
        self.used: dict[str, str] = {}

    async def use(self, token_id: str, person_id: str) -> bool:
        if token_id in self.used:
            return False
        self.used[token_id] = person_id
        return True


class InMemoryShareStore:
    def __init__(self) -> None:
        self.shares: dict[str, Share] = {}

    async def add(self, share: Share) -> None:
        self.shares[share.share_id] = share

    async def get(self, share_id: str) -> Share | None:
        return self.shares.get(share_id)

    async def save(self, share: Share) -> None:
        self.shares[share.share_id] = share

    async def of_person(self, person_id: str) -> list[Share]:
        mine = (s for s in self.shares.values() if s.person_id == person_id)
        return sorted(mine, key=lambda s: s.created_at)


class InMemoryPersonKeys:
    def __init__(self) -> None:
        self.holders: dict[str, str] = {}

    async def person_of(self, keys: list[str]) -> str | None:
        return next((self.holders[k] for k in keys if k in self.holders), None)

    async def remember(self, keys: list[str], person_id: str) -> None:
        self.holders.update(dict.fromkeys(keys, person_id))


class InMemoryCorrectionStore:
    def __init__(self) -> None:
        self.corrections: dict[str, Correction] = {}

    async def add(self, correction: Correction) -> None:
        self.corrections[correction.correction_id] = correction

    async def of_person(self, person_id: str) -> list[Correction]:
        mine = (c for c in self.corrections.values() if c.person_id == person_id)
        return sorted(mine, key=lambda c: c.requested_at)


class InMemoryStatsStore:
    def __init__(self) -> None:
        self.journals: dict[tuple[str, int], Journal] = {}
        self.catalog: dict[tuple[str, int], Catalog] = {}
        self.counts: dict[str, Counter[str]] = {}
        self.written: dict[str, int] = {}
        self.shares: dict[str, PersonShare] = {}
        self.visit_shares: dict[str, VisitShare] = {}
        self.reminder_shares: dict[str, ReminderShare] = {}

    async def journal(self, partition: int, source: str = "") -> Journal | None:
        return self.journals.get((source, partition))

    async def save_journal(self, journal: Journal) -> None:
        self.journals[(journal.source, journal.partition)] = journal

    async def catalogs(self, partitions: list[int], source: str = "") -> dict[int, Catalog]:
        return {p: self.catalog[(source, p)] for p in partitions if (source, p) in self.catalog}

    async def save_catalog(self, catalog: Catalog) -> None:
        self.catalog[(catalog.source, catalog.partition)] = catalog

    async def offsets(self, tallies: list[str]) -> dict[str, int]:
        return {t: self.written[t] for t in tallies if t in self.written}

    async def add(
        self, deltas: dict[str, dict[str, int]], offset: int, known: Collection[str] = ()
    ) -> None:
        for tally, cells in deltas.items():
            if self.written.get(tally, -1) < offset:  # the same add again changes nothing
                self.counts.setdefault(tally, Counter()).update(cells)
                self.written[tally] = offset

    async def tallies(self, ids: list[str]) -> dict[str, dict[str, int]]:
        return {t: dict(self.counts[t]) for t in ids if t in self.counts}

    async def people(self, ids: list[str]) -> dict[str, PersonShare]:
        return {i: self.shares[i] for i in ids if i in self.shares}

    async def visits(self, keys: list[str]) -> dict[str, VisitShare]:
        return {k: self.visit_shares[k] for k in keys if k in self.visit_shares}

    async def reminders(self, ids: list[str]) -> dict[str, ReminderShare]:
        return {i: self.reminder_shares[i] for i in ids if i in self.reminder_shares}

    async def keep(
        self,
        people: dict[str, PersonShare],
        visits: dict[str, VisitShare],
        reminders: dict[str, ReminderShare] | None = None,
    ) -> None:
        self.shares.update(people)
        self.visit_shares.update(visits)
        self.reminder_shares.update(reminders or {})
