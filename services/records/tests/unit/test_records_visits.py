"""domain/visits and domain/encounters: what one visit contributes to a record (facility-reported
facts with their provenance, chronic ICD-10 codes and vaccines, the encounter, labs,
medications, appointment, referral), that a late older visit never replaces newer values, that
a corrected revision replaces what its earlier revision contributed, and what `decide` does
with an arriving visit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hssk_contracts.visit import Drug, Identifier, Immunization, LabResult, Patient, Visit, Vitals
from hssk_records.domain.encounters import StoredEncounter, decide
from hssk_records.domain.facts import Source
from hssk_records.domain.record import RECENT_ENCOUNTERS, Record
from hssk_records.domain.visits import chronic_codes, with_visit

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PID = "person-0001"
CCCD = Identifier(type="cccd", value="001090012345")


def visit(
    visit_id: str = "LK1",
    *,
    days_ago: float = 1,
    revision: int = 1,
    facility: str = "01001",
    identifiers: tuple[Identifier, ...] = (CCCD,),
    patient: dict[str, Any] | None = None,
    **fields: Any,
) -> Visit:
    admitted = NOW - timedelta(days=days_ago)
    person = {"name": "Nguyễn Văn An", "sex": "male", "commune_code": "00001", **(patient or {})}
    return Visit(
        facility_code=facility,
        visit_id=visit_id,
        revision=revision,
        sent_at=fields.pop("sent_at", admitted + timedelta(hours=revision)),
        admitted_at=admitted,
        patient=Patient(identifiers=list(identifiers), **person),
        **fields,
    )


def record_of(*visits: Visit) -> Record:
    """The record after these visits; a key seen before comes as a revision (as events say)."""
    record, seen = Record(person_id=PID), set()
    for v in visits:
        record = with_visit(record, v, revised=v.key in seen)
        seen.add(v.key)
    return record


def test_a_visits_values_are_facility_reported_with_who_which_visit_and_when():
    v = visit(
        patient={"phone": "0912345678", "blood_group": "O+", "sex": "unknown"},
        identifiers=(CCCD, Identifier(type="bhyt", value="DN4010123456789")),
        vitals=Vitals(weight_kg=61.5, systolic_mmhg=130, diastolic_mmhg=85),
        reason="Khám định kỳ",
    )
    record = record_of(v)

    phone = record.trusted("admin", "phone")
    assert phone.value == "0912345678"
    assert phone.source == Source(
        kind="facility_reported",
        by="01001",
        visit_key="01001:LK1",
        at=v.admitted_at,
        sent=v.sent_at,
    )
    assert record.trusted("health", "blood_group").value == "O+"
    assert record.trusted("admin", "bhyt").value == {
        "cards": ["DN4010123456789"],
        "valid_from": None,
        "valid_to": None,
    }
    assert "sex" not in record.admin  # "unknown" is no value
    assert record.slot("vitals", "blood_pressure").latest().value == {
        "systolic": 130,
        "diastolic": 85,
    }
    assert sorted(record.vitals) == ["blood_pressure", "weight_kg"]  # nothing empty kept
    assert record.ward_code == "00001"
    assert record.visit_fields["reason"] == phone.source
    assert "diagnosis_admission" not in record.visit_fields
    [encounter] = record.encounters
    assert (encounter.key, encounter.revision, encounter.reason) == ("01001:LK1", 1, "Khám định kỳ")
    assert (record.encounter_count, record.facilities) == (1, {"01001": v.admitted_at})


def test_a_late_older_visit_adds_its_encounter_but_does_not_replace_newer_values():
    new = visit("LK2", days_ago=1, patient={"phone": "0900000002"}, vitals=Vitals(weight_kg=70))
    old = visit(
        "LK1",
        days_ago=30,
        facility="01003",
        patient={"phone": "0900000001", "occupation": "Giáo viên"},
        identifiers=(CCCD, Identifier(type="cmnd", value="123456789")),
        vitals=Vitals(weight_kg=64),
    )
    record = record_of(new, old)

    assert record.trusted("admin", "phone").value == "0900000002"
    assert record.slot("vitals", "weight_kg").latest().value == 70
    assert record.trusted("admin", "occupation").value == "Giáo viên"  # only the old one said
    assert [e.key for e in record.encounters] == ["01001:LK2", "01003:LK1"]
    assert record.encounter_count == 2
    assert record.facilities == {"01001": new.admitted_at, "01003": old.admitted_at}
    assert {(i.type, i.value) for i in record.identifiers} == {
        ("cccd", "001090012345"),
        ("cmnd", "123456789"),
    }
    assert record == record_of(old, new).model_copy(update={"visit_fields": record.visit_fields})


def test_chronic_codes_are_the_chronic_icd10_blocks_dots_and_subcodes_ignored():
    v = visit(main_icd10="E11.9", secondary_icd10=["J06.9", "I10", "C50.1", "N18", "K29.7"])
    assert chronic_codes(v) == {"E11", "I10", "C50", "N18"}
    assert chronic_codes(visit(main_icd10="J20.9")) == set()


def test_a_corrected_revision_replaces_everything_its_earlier_revision_contributed():
    first = visit(
        main_icd10="I10",
        immunizations=[Immunization(name="Viêm gan B")],
        labs=[LabResult(name="Glucose máu", value="9.1", unit="mmol/L")],
        drugs=[Drug(name="Amlodipin", strength="5mg")],
        revisit_date=date(2026, 12, 1),
        referral_to="01003",
    )
    corrected = visit(
        revision=2,
        main_icd10="J45",
        labs=[LabResult(name="Glucose máu", value="5.1", unit="mmol/L")],
        drugs=[Drug(name="Salbutamol", strength="100mcg")],
        revisit_date=date(2026, 12, 5),
    )
    record = record_of(first, corrected)

    assert record.reported_items("chronic_conditions") == ["J45"]
    assert record.reported_items("vaccinations") == []
    assert [(x.name, x.value) for x in record.labs] == [("Glucose máu", "5.1")]
    assert [m.name for m in record.medications] == ["Salbutamol"]
    assert [a.date for a in record.appointments] == [date(2026, 12, 5)]
    assert record.referrals == []
    [encounter] = record.encounters
    assert (encounter.revision, encounter.main_icd10) == (2, "J45")
    assert record.encounter_count == 1


def test_a_reported_condition_stays_while_another_visit_still_reports_it():
    a, b = visit("LK1", days_ago=9, main_icd10="I10"), visit("LK2", days_ago=2, main_icd10="I10")
    record = record_of(a, b)
    assert record.reported["chronic_conditions"]["I10"] == ["01001:LK2", "01001:LK1"]

    record = with_visit(record, visit("LK2", days_ago=2, revision=2, main_icd10="K29.7"))
    assert record.reported["chronic_conditions"] == {"I10": ["01001:LK1"]}
    record = with_visit(record, visit("LK1", days_ago=9, revision=2))
    assert record.reported_items("chronic_conditions") == []


def test_the_current_medications_are_the_latest_prescribing_visits():
    new = visit("LK2", days_ago=1, drugs=[Drug(name="Metformin")])
    old = visit("LK1", days_ago=20, drugs=[Drug(name="Paracetamol")])

    assert [m.name for m in record_of(new, old).medications] == ["Metformin"]
    assert [m.name for m in record_of(old, new).medications] == ["Metformin"]
    stopped = with_visit(record_of(new), visit("LK2", days_ago=1, revision=2))
    assert stopped.medications == []


def stored(v: Visit, content_hash: str) -> StoredEncounter:
    return StoredEncounter(
        key=v.key,
        person_id=PID,
        revision=v.revision,
        content_hash=content_hash,
        applied_version=1,
        visit=v,
    )


def test_decide_new_replayed_stale_and_revised():
    first, second = visit(), visit(revision=2)

    assert decide(None, first, "h1") == "new"
    assert decide(stored(first, "h1"), first, "h1") == "replayed"
    assert decide(stored(second, "h2"), first, "h1") == "stale"
    assert decide(stored(first, "h1"), second, "h2") == "revised"
    resent = first.model_copy(update={"sent_at": first.sent_at + timedelta(hours=3)})
    assert decide(stored(first, "h1"), resent, "h1-resent") == "revised"  # same revision, later
    assert decide(stored(resent, "h1-resent"), first, "h1") == "stale"


def test_a_revision_correcting_the_admission_time_earlier_still_replaces_its_values():
    first = visit(vitals=Vitals(weight_kg=80), patient={"phone": "0900000001"})
    corrected = visit(
        revision=2, vitals=Vitals(weight_kg=68), patient={"phone": "0900000002"}
    ).model_copy(update={"admitted_at": first.admitted_at - timedelta(hours=1)})
    record = record_of(first, corrected)

    assert record.encounters[0].admitted_at == corrected.admitted_at  # the encounter follows
    assert record.slot("vitals", "weight_kg").latest().value == 68
    assert record.trusted("admin", "phone").value == "0900000002"


def test_a_revision_of_a_visit_beyond_the_recent_encounters_is_not_counted_again():
    visits = [visit(f"LK{i}", days_ago=30 - i) for i in range(RECENT_ENCOUNTERS + 1)]
    record = record_of(*visits)
    assert (record.encounter_count, len(record.encounters)) == (11, RECENT_ENCOUNTERS)

    revised = with_visit(record, visit("LK0", days_ago=30, revision=2), revised=True)
    assert revised.encounter_count == 11
