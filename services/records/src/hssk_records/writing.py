"""How every change reaches a record, whoever makes it (a visit, identity, the citizen, a
doctor): the record event is appended first (its unique key decides between writers), then the
encounter, then the record's state, then the announcement. Whatever crash comes in between, the
next attempt finds its own event and finishes it, and a record left behind its history is
caught up (and what it missed announced) before anyone writes on top of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from hssk_contracts import topics
from hssk_contracts.events import RecordChanged
from hssk_kit.bus import Publish
from hssk_kit.merges import survivor
from hssk_records import metrics
from hssk_records.domain.changes import announcement, contact
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.events import RecordEvent, apply, fold
from hssk_records.domain.record import Record
from hssk_records.ports import ConcurrentUpdate, EncounterStore, EventLog, RecordRepository

T = TypeVar("T")
MAX_CONFLICTS = 8
HISTORY_CHUNK = 500


@dataclass(frozen=True)
class Stores:
    records: RecordRepository
    events: EventLog
    encounters: EncounterStore


def pending_announcement(record: Record | None, cause: str) -> RecordChanged | None:
    """The latest change again, when `cause` made it: stored before a crash, maybe never
    announced (one person's changes come in order, so only the latest can be pending)."""
    change = record.last_change if record else {}
    if change and change.get("data", {}).get("cause_event_id") == cause:
        return RecordChanged.model_validate(change)
    return None


async def live(records: RecordRepository, person_id: str) -> tuple[str, Record | None]:
    """Whose record a change for `person_id` goes to (following merges to the survivor), and
    that record as stored (None: not yet)."""
    return await survivor(records.get, person_id)


async def commit(
    record: Record | None, event: RecordEvent, *, stores: Stores, publish: Publish
) -> Record:
    """Store `event` as the record's next version and everything it makes; raise
    ConcurrentUpdate if another event took that version (the record is caught up first)."""
    if not await stores.events.append(event):
        taken = await stores.events.get(event.person_id, event.version)
        if taken is None:
            raise ConcurrentUpdate(event.key)
        if taken.cause != event.cause:  # someone else's: bring the record up to it first
            await _catch_up(record, taken, stores, publish)
            raise ConcurrentUpdate(event.key)
        event = taken  # ours, stored before a crash
    return await _finish(record, event, stores, publish)


async def _finish(
    record: Record | None, event: RecordEvent, stores: Stores, publish: Publish
) -> Record:
    after = await _after(record, event, stores)
    change = announcement(after, event, event.at)
    stored = after.model_copy(
        update={"last_change": change.model_dump(mode="json", exclude_none=True)}
    )
    await stores.records.save(stored)
    await _store_encounter(event, stores)  # after the record: a stored encounter, a stored record
    await announce(stored, change, publish)
    return stored


async def _store_encounter(event: RecordEvent, stores: Stores) -> None:
    if event.visit is None:
        return
    v = event.visit
    await stores.encounters.put(
        StoredEncounter(
            key=v.key,
            person_id=event.person_id,
            revision=v.revision,
            content_hash=event.content_hash or "",
            applied_version=event.version,
            visit=v,
        )
    )


async def finish_pending(record: Record, change: RecordChanged, stores: Stores, publish: Publish):
    """The record's latest change, stored before a crash: its encounter (the crash may have come
    before it, and a later revision of the visit must find it) and its announcements, again."""
    latest = await stores.events.get(record.person_id, record.version)
    if latest is not None:
        await _store_encounter(latest, stores)
    await announce(record, change, publish)


async def announce(record: Record, change: RecordChanged, publish: Publish) -> None:
    """The change on records.change.v1 and, when it may have changed them, the citizen's
    contact details on records.contact.v1 (notify's alone)."""
    await publish(topics.RECORDS_CHANGE, change)
    if reach := contact(record, change):
        await publish(topics.RECORDS_CONTACT, reach)


async def _catch_up(
    record: Record | None, upto: RecordEvent, stores: Stores, publish: Publish
) -> None:
    """Finish every event the record missed, up to `upto`, announcing each (again)."""
    first = (record.version if record else 0) + 1
    missed = await stores.events.versions(upto.person_id, list(range(first, upto.version)))
    for version in range(first, upto.version + 1):
        event = missed.get(version, upto if version == upto.version else None)
        if event is None:
            raise ConcurrentUpdate(f"{upto.person_id}: version {version} missing")
        record = await _finish(record, event, stores, publish)
        metrics.CATCH_UPS.inc()


async def _after(record: Record | None, event: RecordEvent, stores: Stores) -> Record:
    if event.change != "person_unmerged":
        return apply(record, event)
    folded = fold([*(await history(event.person_id, event.version - 1, stores.events)), event])
    assert folded is not None
    return folded


async def history(person_id: str, up_to: int, events: EventLog) -> list[RecordEvent]:
    out: list[RecordEvent] = []
    for start in range(1, up_to + 1, HISTORY_CHUNK):
        chunk = list(range(start, min(start + HISTORY_CHUNK, up_to + 1)))
        found = await events.versions(person_id, chunk)
        out += [found[v] for v in chunk if v in found]
    return out


async def rebuilt(person_id: str, events: EventLog, version: int) -> Record | None:
    """The record its history makes (for the rebuild check)."""
    return fold(await history(person_id, version, events))


async def with_retries(attempt: Callable[[], Awaitable[T]], what: str) -> T:
    for _ in range(MAX_CONFLICTS):
        try:
            return await attempt()
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(f"{what} kept changing under us")
