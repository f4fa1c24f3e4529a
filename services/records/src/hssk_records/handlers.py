"""Handlers of the stream: a resolved visit applied to the citizen's record, and identity's
person events (the person's data and identifiers, merges, unmerges). Every change goes through
writing.commit, so a replay, a crash or a second writer changes nothing twice."""

from __future__ import annotations

from datetime import datetime

from hssk_contracts import identifiers as ids
from hssk_contracts.envelope import Envelope
from hssk_contracts.events import (
    PersonCreated,
    PersonMerged,
    PersonSnapshot,
    PersonUnmerged,
    PersonUpdated,
    VisitResolved,
)
from hssk_kit.bus import Publish
from hssk_records import metrics
from hssk_records.domain.encounters import decide
from hssk_records.domain.events import Change, Placed, RecordEvent
from hssk_records.domain.facts import Fact, Source
from hssk_records.domain.record import Record
from hssk_records.ports import PersonKeys
from hssk_records.writing import (
    Stores,
    commit,
    finish_pending,
    live,
    pending_announcement,
    with_retries,
)

IDENTITY_FACTS = ("name", "birth_date", "sex", "commune_code")


async def on_visit_resolved(
    event: VisitResolved, *, stores: Stores, publish: Publish, now: datetime
) -> str:
    d = event.data

    async def attempt() -> str:
        person_id, record = await live(stores.records, d.person_id)
        if await _finished_before(record, event.event_id, stores, publish):
            return "replayed"
        decision = decide(await stores.encounters.get(d.visit.key), d.visit, d.content_hash)
        if decision in ("replayed", "stale"):
            return decision
        change: Change = "visit_revised" if decision == "revised" else "visit_added"
        version = (record.version if record else 0) + 1
        await commit(
            record,
            RecordEvent(
                person_id=person_id,
                version=version,
                at=now,
                change=change,
                cause=event.event_id,
                by=d.visit.facility_code,
                visit=d.visit,
                content_hash=d.content_hash,
            ),
            stores=stores,
            publish=publish,
        )
        return change

    outcome = await with_retries(attempt, f"record {d.person_id}")
    metrics.VISITS_APPLIED.labels(outcome).inc()
    return outcome


async def on_person_event(
    event: Envelope, *, stores: Stores, keys: PersonKeys, publish: Publish, now: datetime
) -> int:
    """A person's data reaches their record (every person gets one, visits or not); a merge
    joins the merged person's record into the survivor's and leaves a tombstone; an unmerge
    undoes both. Returns how many records changed."""
    snapshot = event.data
    if not isinstance(snapshot, PersonSnapshot):
        return 0
    if isinstance(event, PersonCreated | PersonUpdated) and snapshot.merged_into is None:
        found = ids.match_keys([(i.type, i.value) for i in snapshot.identifiers])
        if found:
            await keys.remember(found, snapshot.person_id)
        return await _person_updated(event, snapshot, stores, publish)
    if isinstance(event, PersonMerged) and snapshot.merged_into:
        return await _merged(event, snapshot.person_id, snapshot.merged_into, stores, publish)
    if isinstance(event, PersonUnmerged):
        return await _unmerged(event, snapshot.person_id, stores, publish)
    return 0


async def _person_updated(
    event: Envelope, snapshot: PersonSnapshot, stores: Stores, publish: Publish
) -> int:
    source = Source(kind="facility_reported", by="identity", at=event.occurred_at)

    async def attempt() -> int:
        record = await stores.records.get(snapshot.person_id)
        if await _finished_before(record, event.event_id, stores, publish):
            return 0  # changed before, announced now
        base = record or Record(person_id=snapshot.person_id)
        facts = [
            Placed(part="admin", slot=name, fact=Fact(value=value, source=source))
            for name in IDENTITY_FACTS
            if (value := getattr(snapshot, name)) not in (None, "unknown")
            and _differs(base, name, value)
        ]
        known = {(i.type, i.value) for i in base.identifiers}
        new = [i for i in snapshot.identifiers if (i.type, i.value) not in known]
        if not facts and not new:
            return 0
        await commit(
            record,
            RecordEvent(
                person_id=snapshot.person_id,
                version=base.version + 1,
                at=event.occurred_at,
                change="person_updated",
                cause=event.event_id,
                by="identity",
                facts=facts,
                identifiers=new,
            ),
            stores=stores,
            publish=publish,
        )
        return 1

    return await with_retries(attempt, f"record {snapshot.person_id}")


def _differs(record: Record, name: str, value: object) -> bool:
    held = record.slot("admin", name).facts.get("facility_reported")
    return held is None or held.value != value


async def _merged(
    event: Envelope, merged_id: str, survivor_id: str, stores: Stores, publish: Publish
) -> int:
    merged = await stores.records.get(merged_id)
    if merged is None:
        return 0  # nothing to move
    if merged.merged_into == survivor_id:  # done already (the survivor's side first)
        await _finished_before(merged, _cause(event, merged_id), stores, publish)
        return 0
    changed = await _change(
        survivor_id,
        "person_merged",
        event,
        stores,
        publish,
        other=merged_id,
        merged=merged,
        skip=lambda r: merged_id in r.merged_in,
    )
    changed += await _change(
        merged_id,
        "merged_away",
        event,
        stores,
        publish,
        other=survivor_id,
        skip=lambda r: r.merged_into == survivor_id,
    )
    return changed


async def _unmerged(event: Envelope, merged_id: str, stores: Stores, publish: Publish) -> int:
    merged = await stores.records.get(merged_id)
    if merged is None:
        return 0
    if merged.merged_into is None:  # never merged, or given back already (its side last)
        await _finished_before(merged, _cause(event, merged_id), stores, publish)
        return 0
    survivor_id = merged.merged_into
    changed = await _change(
        survivor_id,
        "person_unmerged",
        event,
        stores,
        publish,
        other=merged_id,
        skip=lambda r: merged_id not in r.merged_in,
    )
    changed += await _change(
        merged_id, "restored", event, stores, publish, skip=lambda r: r.merged_into is None
    )
    return changed


async def _change(person_id, change, event, stores, publish, *, skip, other=None, merged=None):
    """One merge-side change of one record, unless `skip` says it is done already."""

    async def attempt() -> int:
        record = await stores.records.get(person_id)
        if await _finished_before(record, _cause(event, person_id), stores, publish):
            return 0  # changed before, announced now
        if record is not None and skip(record):
            return 0
        await commit(
            record,
            RecordEvent(
                person_id=person_id,
                version=(record.version if record else 0) + 1,
                at=event.occurred_at,
                change=change,
                cause=_cause(event, person_id),
                by="identity",
                other=other,
                merged=merged,
            ),
            stores=stores,
            publish=publish,
        )
        return 1

    return await with_retries(attempt, f"record {person_id}")


def _cause(event: Envelope, person_id: str) -> str:
    """A merge or unmerge changes two records: each change's cause names its record."""
    return f"{event.event_id}:{person_id}"


async def _finished_before(
    record: Record | None, cause: str, stores: Stores, publish: Publish
) -> bool:
    """Whether `cause`'s change is the record's latest, stored before a crash that may have
    come before its announcement: if so, it is finished (and announced) again. Whoever skips
    work found done must ask this first, or a change stored but never announced stays so."""
    if record is None or (pending := pending_announcement(record, cause)) is None:
        return False
    await finish_pending(record, pending, stores, publish)
    return True
