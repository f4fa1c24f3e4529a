"""Merging and unmerging citizens' histories: pure rules and the handler."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hssk_cli import synth
from hssk_contracts import topics
from hssk_contracts.events import (
    PersonMerged,
    PersonSnapshot,
    PersonUnmerged,
    VisitResolved,
    VisitResolvedData,
)
from hssk_contracts.visit import Identifier
from hssk_records import handlers
from hssk_records.adapters.memory import InMemoryPersonKeys, InMemoryRecordRepository
from hssk_records.domain import merging
from hssk_records.domain.record import apply_visit

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def record_with(person_id: str, *visit_ids: str):
    rng, record = random.Random(person_id), None
    person = synth.citizen(rng)
    for vid in visit_ids:
        record = apply_visit(
            record, person_id, synth.visit(person, rng, now=NOW, visit_id=vid), f"hash-{vid}"
        ).record
    return record


def person_event(kind, person_id: str, merged_into: str | None, event_id: str):
    snapshot = PersonSnapshot(
        person_id=person_id,
        version=2,
        name="Nguyễn Văn An",
        identifiers=[Identifier(type="cccd", value="001090012345")],
        merged_into=merged_into,
    )
    return kind.new(
        event_id=event_id, producer="identity", key=person_id, data=snapshot, occurred_at=NOW
    )


def test_merge_moves_every_visit_and_leaves_a_tombstone_that_remembers_them():
    survivor, merged = record_with("S", "A"), record_with("M", "B", "C")
    new_survivor, tombstone = merging.merge(survivor, merged, "S")
    assert sorted(new_survivor.visits) == sorted([*survivor.visits, *merged.visits])
    assert new_survivor.version == survivor.version + 1
    assert (tombstone.visits, tombstone.merged_into) == ({}, "S")
    assert tombstone.moved_out == sorted(merged.visits)
    assert merging.merge(new_survivor, tombstone, "S") == (None, None)  # idempotent


def test_unmerge_returns_exactly_the_moved_visits():
    survivor, merged = record_with("S", "A"), record_with("M", "B", "C")
    new_survivor, tombstone = merging.merge(survivor, merged, "S")
    back_survivor, restored = merging.unmerge(new_survivor, tombstone)
    assert sorted(back_survivor.visits) == sorted(survivor.visits)
    assert sorted(restored.visits) == sorted(merged.visits)
    assert (restored.merged_into, restored.moved_out) == (None, [])
    assert merging.unmerge(back_survivor, restored) == (None, None)


async def test_handler_merges_then_unmerges_and_announces_each_changed_record(publish):
    records, keys = InMemoryRecordRepository(), InMemoryPersonKeys()
    for rec in (record_with("S", "A"), record_with("M", "B")):
        await records.save(rec, expected_version=0)
    merged_event = person_event(PersonMerged, "M", "S", "evt-merge")
    assert (
        await handlers.on_person_event(
            merged_event, records=records, keys=keys, publish=publish, now=NOW
        )
        == 2
    )
    assert len((await records.get("S")).visits) == 2
    changes = [e for t, e in publish.sent if t == topics.RECORDS_CHANGE]
    assert {(c.data.person_id, c.data.change) for c in changes} == {
        ("S", "person_merged"),
        ("M", "person_merged"),
    }

    assert (
        await handlers.on_person_event(
            merged_event, records=records, keys=keys, publish=publish, now=NOW
        )
        == 0
    )  # redelivered: nothing moves twice

    await handlers.on_person_event(
        person_event(PersonUnmerged, "M", None, "evt-unmerge"),
        records=records,
        keys=InMemoryPersonKeys(),
        publish=publish,
        now=NOW,
    )
    assert len((await records.get("S")).visits) == 1
    assert len((await records.get("M")).visits) == 1


async def test_a_visit_for_a_merged_person_lands_in_the_survivors_record(publish):
    records = InMemoryRecordRepository()
    for rec in (record_with("S", "A"), record_with("M", "B")):
        await records.save(rec, expected_version=0)
    await handlers.on_person_event(
        person_event(PersonMerged, "M", "S", "evt-merge-late"),
        records=records,
        keys=InMemoryPersonKeys(),
        publish=publish,
        now=NOW,
    )
    rng = random.Random(3)
    late = synth.visit(synth.citizen(rng), rng, now=NOW, visit_id="LATE")
    event = VisitResolved.new(
        event_id="evt-late-visit",
        producer="identity",
        key="M",
        data=VisitResolvedData(
            person_id="M",
            visit=late,
            decision="matched",
            matched_on="cccd",
            accepted_event_id="acc",
            content_hash="h",
        ),
    )
    await handlers.on_visit_resolved(event, records=records, publish=publish, now=NOW)
    assert late.key in (await records.get("S")).visits
    assert (await records.get("M")).visits == {}
