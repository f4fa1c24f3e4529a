"""Folding records.change.v1 into the statistics, a partition's batch at a time: each change
replaces its citizen's share (and its visit's) by the one the record has now, and the batch's
outcome is journalled before it touches a tally, so nothing counts twice or goes missing across
crashes, redeliveries, replays and out-of-order changes (domain/stats/journal.py). notify's
reminder outcomes (notify.reminder.v1) are folded the same way, each replacing its reminder's
share, under journals and catalogs of their own."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

from hssk_contracts.events import (
    RecordChanged,
    ReminderCompleted,
    ReminderDelivered,
    ReminderFailed,
    ReminderScheduled,
    ReminderSent,
    ReminderSuppressed,
)
from hssk_records import metrics
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.record import Record
from hssk_records.domain.stats import regions
from hssk_records.domain.stats.journal import REMINDERS, Catalog, Journal, tally_id
from hssk_records.domain.stats.shares import (
    PersonShare,
    ReminderShare,
    VisitShare,
    delta,
    person_share,
    reminder_share,
    visit_share,
)
from hssk_records.ports import StatsStore
from hssk_records.writing import Stores

VISIT_CHANGES = ("visit_added", "visit_revised")
Reminder: TypeAlias = (
    ReminderScheduled
    | ReminderSent
    | ReminderDelivered
    | ReminderFailed
    | ReminderSuppressed
    | ReminderCompleted
)


@dataclass(frozen=True)
class Seen:
    """What a batch reads before deciding: the shares held, and the records and encounters
    newer than them."""

    people: dict[str, PersonShare]
    visits: dict[str, VisitShare]
    records: dict[str, Record]
    encounters: dict[str, StoredEncounter]


async def fold(
    changes: list[tuple[int, RecordChanged]], partition: int, *, stats: StatsStore, stores: Stores
) -> int:
    """Fold `changes` (offset, event), in offset order, of one partition; returns how many
    were new. Any tail of a batch may come again: what the journal holds is skipped."""
    catalog = await _finished(partition, stats)
    todo = [(offset, c) for offset, c in changes if offset >= catalog.end]
    if not todo:
        return 0
    deltas, new_people, new_visits = _replaced(
        [c for _, c in todo], await _seen(todo, stats, stores)
    )
    return await _journalled(
        todo, partition, deltas, catalog, stats, people=new_people, visits=new_visits
    )


async def fold_reminders(
    events: list[tuple[int, Reminder]], partition: int, *, stats: StatsStore
) -> int:
    """Fold notify.reminder.v1 `events` (offset, event) of one partition: each outcome or
    completion replaces its reminder's share (a reminder's events all share its citizen's
    partition, so a share's offset orders them)."""
    catalog = await _finished(partition, stats, REMINDERS)
    todo = [(offset, e) for offset, e in events if offset >= catalog.end]
    if not todo:
        return 0
    ids = list(dict.fromkeys(e.data.reminder_id for _, e in todo))
    held = await stats.reminders(ids)
    new: dict[str, ReminderShare] = {}
    deltas: dict[str, Counter[str]] = {}
    for offset, event in todo:
        rid = event.data.reminder_id
        old = new.get(rid) or held.get(rid)
        share = reminder_share(event.type, event.data, offset, old)
        if share is not None and share != old:
            new[rid] = share
            _add(deltas, old.cells() if old else {}, share.cells())
    return await _journalled(
        todo, partition, deltas, catalog, stats, reminders=new, source=REMINDERS
    )


async def _journalled(
    todo: list, partition: int, deltas: dict[str, Counter[str]], catalog: Catalog,
    stats: StatsStore, **shares: Any,
) -> int:  # fmt: skip
    """The batch `todo` (offset, event) as the partition's journal, applied; how many."""
    journal = Journal(
        partition=partition,
        end=todo[-1][0] + 1,
        at=max(e.occurred_at for _, e in todo).isoformat(),
        deltas={
            tally_id(doc, partition): moved
            for doc, cells in deltas.items()
            if (moved := {cell: n for cell, n in cells.items() if n})
        },
        **shares,
    )
    await _record(journal, catalog, stats)
    metrics.STATS_FOLDED.inc(len(todo))
    return len(todo)


async def _record(journal: Journal, catalog: Catalog, stats: StatsStore) -> None:
    if journal.deltas or journal.people or journal.visits or journal.reminders:
        await stats.save_journal(journal)
        await _apply(journal, catalog, stats, recovering=False)
    else:  # nothing moves (a replay): only the end advances, and folding it again moves nothing
        await stats.save_catalog(replace(catalog, end=journal.end, at=_later(catalog, journal)))


async def _seen(todo: list[tuple[int, RecordChanged]], stats: StatsStore, stores: Stores) -> Seen:
    """A replay costs the shares' reads only: a record is read when a change is newer than its
    share, an encounter when its visit is new or corrected."""
    people = list(dict.fromkeys(c.data.person_id for _, c in todo))
    keys = list(dict.fromkeys(k for _, c in todo if (k := _visit_key(c))))
    held_people, held_visits = await stats.people(people), await stats.visits(keys)
    newest: dict[str, int] = {}
    for _, c in todo:
        newest[c.data.person_id] = max(newest.get(c.data.person_id, 0), c.data.version)
    stale = [p for p in people if p not in held_people or newest[p] > held_people[p].version]
    found = await asyncio.gather(*(stores.records.get(p) for p in stale))
    records = {p: r for p, r in zip(stale, found, strict=True) if r is not None}
    wanted = [k for _, c in todo if (k := _visit_key(c)) and _unseen(c, k, held_visits)]
    encounters = await stores.encounters.get_many(list(dict.fromkeys(wanted))) if wanted else {}
    return Seen(held_people, held_visits, records, encounters)


def _replaced(changes: list[RecordChanged], seen: Seen):
    """Each change's citizen and visit share replaced by the newer one, and what that moves."""
    deltas: dict[str, Counter[str]] = {}
    new_people: dict[str, PersonShare] = {}
    new_visits: dict[str, VisitShare] = {}
    for change in changes:
        pid = change.data.person_id
        record = seen.records.get(pid)
        old = new_people.get(pid) or seen.people.get(pid)
        if record is not None and (old is None or record.version > old.version):
            new_people[pid] = person_share(record)
            _add(deltas, old.cells() if old else {}, new_people[pid].cells())
        if (key := _visit_key(change)) and (encounter := seen.encounters.get(key)):
            was = new_visits.get(key) or seen.visits.get(key)
            if was is None or encounter.revision > was.revision:
                v = encounter.visit
                ward = was.ward if was else _ward_of(new_people.get(pid) or seen.people.get(pid))
                new_visits[key] = visit_share(encounter.revision, ward, v.admitted_at, v.main_icd10)
                _add(deltas, was.cells() if was else {}, new_visits[key].cells())
    return deltas, new_people, new_visits


async def _finished(partition: int, stats: StatsStore, source: str = "") -> Catalog:
    """The partition's catalog, after finishing a journalled batch a crash interrupted."""
    found = (await stats.catalogs([partition], source)).get(partition)
    catalog = found or Catalog(partition, source=source)
    journal = await stats.journal(partition, source)
    if journal is not None and journal.end > catalog.end:
        catalog = await _apply(journal, catalog, stats, recovering=True)
        metrics.STATS_RECOVERED.inc()
    return catalog


async def _apply(journal: Journal, catalog: Catalog, stats: StatsStore, *, recovering: bool):
    """The journal's deltas on every tally not yet written at its end (after a crash, some may
    be), its shares kept, then the catalog that says so."""
    written = await stats.offsets(list(journal.deltas)) if recovering else catalog.docs
    await stats.add(
        {t: cells for t, cells in journal.deltas.items() if written.get(t, -1) < journal.end},
        journal.end,
        known=written,
    )
    await stats.keep(journal.people, journal.visits, journal.reminders)
    done = Catalog(
        partition=journal.partition,
        end=journal.end,
        at=_later(catalog, journal),
        docs={**catalog.docs, **dict.fromkeys(journal.deltas, journal.end)},
        source=journal.source,
    )
    await stats.save_catalog(done)
    return done


def _add(deltas: dict[str, Counter[str]], old, new) -> None:
    for doc, cells in delta(old, new).items():
        deltas.setdefault(doc, Counter()).update(cells)


def _visit_key(change: RecordChanged) -> str | None:
    return change.data.visit_key if change.data.change in VISIT_CHANGES else None


def _later(catalog: Catalog, journal: Journal) -> str:
    """How fresh the figures are: a replay of older changes does not make them older."""
    return max(journal.at, catalog.at or journal.at)


def _unseen(change: RecordChanged, key: str, held: dict[str, VisitShare]) -> bool:
    return change.data.change == "visit_revised" or key not in held


def _ward_of(share: PersonShare | None) -> str:
    """Where a new visit is counted: its patient's ward (a correction keeps the visit's)."""
    return (share.ward if share else None) or regions.NO_WARD
