"""domain/events (and the announcing in domain/changes): `apply` is one transition and only to
the next version; `fold` of the history equals the record built step by step
(`Record.comparable()`), in any input order; an as-of read is the record as it was at that
instant; a merge joins the merged record in, the merged person becomes a tombstone and is
restored unchanged; an unmerge refolds the survivor to exactly what it would be without the
merge."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hssk_contracts.visit import Identifier, Patient, Visit, Vitals
from hssk_records.domain import changes, events
from hssk_records.domain.events import Change, Placed, RecordEvent
from hssk_records.domain.facts import Fact, Kind, Source
from hssk_records.domain.record import Record

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CCCD = Identifier(type="cccd", value="001090012345")


def at(version: int) -> datetime:
    return NOW + timedelta(hours=version)


def visit(visit_id: str, *, days_ago: int = 2, revision: int = 1, **fields: Any) -> Visit:
    return Visit(
        facility_code="01001",
        visit_id=visit_id,
        revision=revision,
        sent_at=NOW + timedelta(minutes=revision),
        admitted_at=NOW - timedelta(days=days_ago),
        patient=Patient(name="Nguyễn Văn An", identifiers=[CCCD], commune_code="00001"),
        **fields,
    )


def placed(part: str, slot: str, value: Any, kind: Kind = "self_declared") -> Placed:
    by = "citizen" if kind == "self_declared" else "bs-0042"
    fact = Fact(value=value, source=Source(kind=kind, by=by, at=NOW))
    return Placed.model_validate({"part": part, "slot": slot, "fact": fact})


def ev(person: str, version: int, change: Change, **fields: Any) -> RecordEvent:
    return RecordEvent(
        person_id=person,
        version=version,
        at=at(version),
        change=change,
        cause=f"cause-{person}-{version}",
        by="test",
        **fields,
    )


def stepwise(history: list[RecordEvent]) -> list[Record]:
    """The record after each event, applied one by one."""
    records, record = [], None
    for event in history:
        record = events.apply(record, event)
        records.append(record)
    return records


def survivor_history() -> list[RecordEvent]:
    confirmed = [placed("health", "blood_group", "A+", "clinician_confirmed")]
    card = Identifier(type="bhyt", value="DN4010123456789")
    return [
        ev("S", 1, "visit_added", visit=visit("LK1", vitals=Vitals(weight_kg=70))),
        ev("S", 2, "self_declared", facts=[placed("health", "blood_group", "O+")]),
        ev("S", 3, "visit_revised", visit=visit("LK1", revision=2, main_icd10="I10")),
        ev("S", 4, "clinician_confirmed", facts=confirmed),
        ev("S", 5, "person_updated", identifiers=[CCCD, card]),
    ]


def merged_record() -> Record:
    return events.apply(
        None, ev("M", 1, "visit_added", visit=visit("LK9", days_ago=5, main_icd10="E11"))
    )


def test_apply_creates_the_record_at_version_1_and_accepts_only_the_next_version():
    first = ev("S", 1, "visit_added", visit=visit("LK1"))
    record = events.apply(None, first)

    assert (record.person_id, record.version, record.encounter_count) == ("S", 1, 1)
    assert record.completeness is not None and record.completeness.filled == 5
    assert {"name", "personal_id", "facility"}.isdisjoint(record.completeness.missing)
    assert first.key == "S:1"
    with pytest.raises(ValueError, match="does not follow version 1"):
        events.apply(record, ev("S", 3, "visit_added", visit=visit("LK2")))
    with pytest.raises(ValueError, match="use fold"):
        events.apply(record, ev("S", 2, "person_unmerged", other="M"))


def test_declared_confirmed_and_identity_facts_land_in_their_slots():
    record = stepwise(survivor_history())[-1]

    assert record.trusted("health", "blood_group").value == "A+"
    assert record.slot("health", "blood_group").facts["self_declared"].value == "O+"
    assert record.reported_items("chronic_conditions") == ["I10"]
    assert [(i.type, i.value) for i in record.identifiers] == [
        ("cccd", "001090012345"),
        ("bhyt", "DN4010123456789"),
    ]
    assert record.version == 5


def test_a_rebuild_from_the_events_equals_the_record_built_step_by_step():
    history = survivor_history()
    built = stepwise(history)[-1].model_copy(update={"last_change": {"change": "x"}})
    shuffled = random.Random(7).sample(history, len(history))

    rebuilt = events.fold(shuffled)
    assert rebuilt is not None
    assert rebuilt.comparable() == built.comparable()
    assert "last_change" not in built.comparable()
    assert events.fold([]) is None


def test_an_as_of_read_is_the_record_as_it_was_at_that_instant():
    history = survivor_history()
    records = stepwise(history)

    assert events.fold(history, until=at(1) - timedelta(seconds=1)) is None
    assert events.fold(history, until=at(1)) == records[0]
    as_of = events.fold(history, until=at(2) + timedelta(minutes=30))
    assert as_of == records[1]
    assert as_of.trusted("health", "blood_group").value == "O+"  # before the clinician's
    assert as_of.reported_items("chronic_conditions") == []  # before the correction


def test_a_merge_joins_the_merged_record_into_the_survivor():
    before = stepwise(survivor_history())[-1]
    merged = merged_record()
    after = events.apply(before, ev("S", 6, "person_merged", other="M", merged=merged))

    assert after.merged_in == ["M"]
    assert [e.key for e in after.encounters] == ["01001:LK1", "01001:LK9"]
    assert after.encounter_count == 2
    assert after.reported_items("chronic_conditions") == ["E11", "I10"]
    assert after.trusted("health", "blood_group").value == "A+"


def test_the_merged_person_becomes_a_tombstone_and_is_restored_unchanged():
    record = merged_record()
    tombstone = events.apply(record, ev("M", 2, "merged_away", other="S"))
    restored = events.apply(tombstone, ev("M", 3, "restored", other="S"))

    assert (tombstone.merged_into, tombstone.version) == ("S", 2)
    assert tombstone.encounters == record.encounters  # kept: an unmerge gives it back
    assert (restored.merged_into, restored.version) == (None, 3)
    assert restored.model_copy(update={"version": 1}) == record


def test_an_unmerge_restores_the_survivor_exactly_as_before_the_merge():
    history = survivor_history()
    before = stepwise(history)[-1]
    history += [
        ev("S", 6, "person_merged", other="M", merged=merged_record()),
        ev("S", 7, "person_unmerged", other="M"),
    ]

    after = events.fold(history)
    assert after is not None and after.version == 7
    assert after.comparable() == before.model_copy(update={"version": 7}).comparable()
    assert after.merged_in == []
    assert events.fold(history, until=at(6)).merged_in == ["M"]  # as of the merge


def test_an_unmerge_keeps_what_happened_to_the_survivor_after_the_merge():
    late = visit("LK2", days_ago=1, main_icd10="E11", vitals=Vitals(weight_kg=72))
    history = [
        *survivor_history(),
        ev("S", 6, "person_merged", other="M", merged=merged_record()),
        ev("S", 7, "visit_added", visit=late),
        ev("S", 8, "person_unmerged", other="M"),
    ]
    without_merge = events.fold(
        [*survivor_history(), ev("S", 6, "visit_added", visit=late)]
    ).model_copy(update={"version": 8})

    after = events.fold(history)
    assert after.comparable() == without_merge.comparable()
    assert [e.key for e in after.encounters] == ["01001:LK2", "01001:LK1"]
    assert after.encounter_count == 2


def test_a_second_unmerge_in_the_history_still_folds():
    other = events.apply(None, ev("N", 1, "visit_added", visit=visit("LK8")))
    history = [
        ev("S", 1, "visit_added", visit=visit("LK1")),
        ev("S", 2, "person_merged", other="M", merged=merged_record()),
        ev("S", 3, "person_unmerged", other="M"),
        ev("S", 4, "person_merged", other="N", merged=other),
        ev("S", 5, "person_unmerged", other="N"),
    ]

    after = events.fold(history)
    assert after is not None
    assert [e.key for e in after.encounters] == ["01001:LK1"]
    assert (after.version, after.merged_in) == (5, [])


def test_the_sections_a_change_announces():
    full = visit(
        "LK1", vitals=Vitals(pulse_bpm=70), main_icd10="I10", revisit_date=date(2027, 1, 4)
    )
    announced = changes.sections(ev("S", 1, "visit_added", visit=full))
    assert announced == ["appointments", "conditions", "encounters", "identity", "vitals"]
    bare = changes.sections(ev("S", 1, "visit_added", visit=visit("LK1")))
    assert bare == ["encounters", "identity"]
    facts = [
        placed("admin", "phone", "0912345678"),
        placed("health", "drug_allergies", {"none_known": True, "items": []}),
        placed("health", "surgeries", {"none_known": True, "items": []}),
        placed("vitals", "height_cm", 166),
    ]
    declared = ev("S", 1, "self_declared", facts=facts)
    assert changes.sections(declared) == ["allergies", "contact", "profile", "vitals"]
    assert changes.sections(ev("S", 1, "merged_away", other="M")) == ["all"]


def test_the_announcement_is_derived_from_its_cause_and_names_the_change_as_published():
    record = events.apply(None, ev("S", 1, "visit_added", visit=visit("LK1")))
    tombstone = events.apply(record, ev("S", 2, "merged_away", other="M"))
    event = ev("S", 2, "merged_away", other="M")

    first = changes.announcement(tombstone, event, NOW)
    again = changes.announcement(tombstone, event, NOW + timedelta(days=1))
    assert first.event_id == again.event_id
    assert first.data.change == "person_merged"
    assert (first.data.version, first.data.ward_code, first.key) == (2, "00001", "S")
    assert first.data.cause_event_id == "cause-S-2"
    assert first.occurred_at == at(2)
