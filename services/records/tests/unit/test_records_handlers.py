"""handlers.on_visit_resolved with the in-memory record repository and a recording publish."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from hssk_cli import synth
from hssk_contracts import topics
from hssk_contracts.codec import encode
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import RecordChanged, VisitResolved, VisitResolvedData
from hssk_records.adapters.memory import InMemoryRecordRepository
from hssk_records.domain import template
from hssk_records.domain.record import apply_visit
from hssk_records.handlers import on_visit_resolved
from hssk_records.ports import ConcurrentUpdate

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PID = "person-0001"
CITIZEN = synth.population(1, seed=9)[0]


def resolved_event(visit_id: str = "LK1", seed: int = 1) -> VisitResolved:
    visit = synth.visit(CITIZEN, random.Random(seed), now=NOW, facility="01001", visit_id=visit_id)
    return VisitResolved.new(
        event_id=derive_event_id("visit-resolved", visit.key),
        producer="identity",
        key=PID,
        occurred_at=NOW,
        data=VisitResolvedData(
            person_id=PID,
            visit=visit,
            decision="created",
            matched_on="cccd",
            accepted_event_id=derive_event_id("accepted", visit.key),
            content_hash=f"hash-{visit.key}-0000000000",
        ),
    )


@pytest.fixture
def records() -> InMemoryRecordRepository:
    return InMemoryRecordRepository()


async def handle(event, records, publish, now=NOW) -> str:
    return await on_visit_resolved(event, records=records, publish=publish, now=now)


async def test_publishes_exactly_one_record_changed_with_completeness(records, publish):
    event = resolved_event()

    assert await handle(event, records, publish) == "visit_added"

    assert len(publish.sent) == 1
    topic, change = publish.sent[0]
    assert topic is topics.RECORDS_CHANGE
    assert isinstance(change, RecordChanged)
    assert change.event_id == derive_event_id("record-changed", event.event_id)
    assert change.key == PID
    assert change.occurred_at == NOW
    stored = records.records[PID]
    d = change.data
    assert (d.person_id, d.version, d.change, d.visit_key, d.cause_event_id) == (
        PID,
        1,
        "visit_added",
        "01001:LK1",
        event.event_id,
    )
    assert d.completeness.total == 46
    assert d.completeness.missing == template.missing(stored)
    assert d.completeness.filled == 46 - len(d.completeness.missing) == 23
    assert d.ward_code == CITIZEN.commune_code
    assert [(a.date, a.facility_code, a.visit_key) for a in d.appointments] == [
        (event.data.visit.revisit_date, "01001", "01001:LK1")
    ]


async def test_redelivery_re_publishes_the_identical_stored_event(records, publish):
    event = resolved_event()
    await handle(event, records, publish)
    ((_, original),) = publish.sent
    publish.clear()

    outcome = await handle(event, records, publish, now=NOW + timedelta(days=2))

    assert outcome == "replayed"
    assert len(publish.sent) == 1
    topic, again = publish.sent[0]
    assert topic is topics.RECORDS_CHANGE
    assert again.event_id == original.event_id
    assert again.model_dump_json() == original.model_dump_json()
    assert encode(again) == encode(original)
    assert records.records[PID].version == 1


async def test_second_visit_bumps_version_and_lists_both_appointments(records, publish):
    await handle(resolved_event("LK1", seed=1), records, publish)
    await handle(resolved_event("LK2", seed=2), records, publish)

    second = publish.sent[1][1].data
    assert second.version == 2
    assert second.change == "visit_added"
    assert sorted(a.visit_key for a in second.appointments) == ["01001:LK1", "01001:LK2"]
    assert all(a.date >= date(2026, 11, 20) for a in second.appointments)


class ConflictOnFirstSave(InMemoryRecordRepository):
    """Another writer stores a different visit for the same person just before our first save."""

    def __init__(self, rival: VisitResolved) -> None:
        super().__init__()
        self.rival = rival
        self.saves = 0

    async def save(self, record, expected_version: int) -> None:
        self.saves += 1
        if self.saves == 1:
            d = self.rival.data
            self.records[d.person_id] = apply_visit(
                None, d.person_id, d.visit, d.content_hash
            ).record
            raise ConcurrentUpdate(record.person_id)
        await super().save(record, expected_version)


async def test_concurrent_update_is_retried_on_top_of_the_other_write(publish):
    records = ConflictOnFirstSave(rival=resolved_event("LK0", seed=7))
    event = resolved_event("LK1")

    assert await handle(event, records, publish) == "visit_added"

    assert records.saves == 2
    stored = records.records[PID]
    assert stored.version == 2
    assert sorted(stored.visits) == ["01001:LK0", "01001:LK1"]
    assert len(publish.sent) == 1
    assert publish.sent[0][1].data.version == 2
    assert publish.sent[0][1].event_id == derive_event_id("record-changed", event.event_id)


class AlwaysConflicting(InMemoryRecordRepository):
    async def save(self, record, expected_version: int) -> None:
        raise ConcurrentUpdate(record.person_id)


async def test_endless_conflicts_give_up_without_publishing(publish):
    with pytest.raises(ConcurrentUpdate):
        await handle(resolved_event(), AlwaysConflicting(), publish)
    assert publish.sent == []
