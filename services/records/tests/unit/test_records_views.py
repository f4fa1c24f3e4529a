"""domain/views: a record as people read it: alerts first; "none known" and "not recorded" said
apart; every value with its provenance badge; a self-declared value shown beside the
clinician-confirmed one it differs from; measurements from the latest observation, so a late,
older visit does not replace newer vitals; only upcoming appointments; and what a summary
share shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hssk_contracts.visit import Drug, Identifier, Patient, Visit, Vitals
from hssk_records.domain import events
from hssk_records.domain.events import Change, Placed, RecordEvent
from hssk_records.domain.facts import Fact, Kind, Source
from hssk_records.domain.record import Record
from hssk_records.domain.views import record_view, summary_view

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
PID = "person-0001"
NONE_KNOWN = {"none_known": True, "items": []}


def visit(visit_id: str, days_ago: int, **fields: Any) -> Visit:
    admitted = NOW - timedelta(days=days_ago)
    return Visit(
        facility_code="01001",
        visit_id=visit_id,
        sent_at=admitted + timedelta(hours=1),
        admitted_at=admitted,
        patient=Patient(name="Nguyễn Văn An", identifiers=[Identifier(type="cccd", value="1")]),
        **fields,
    )


def step(record: Record | None, change: Change, **fields: Any) -> Record:
    version = record.version + 1 if record else 1
    event = RecordEvent(
        person_id=PID, version=version, at=NOW, change=change, cause="t", by="t", **fields
    )
    return events.apply(record, event)


def said(record: Record, kind: Kind, values: dict[str, Any], days_ago: int = 0) -> Record:
    """`values` ("part.slot": value) declared or confirmed, observed `days_ago`."""
    by = "citizen" if kind == "self_declared" else "bs-0042"
    source = Source(kind=kind, by=by, at=NOW - timedelta(days=days_ago))
    placed = [
        Placed.model_validate(
            {"part": place.split(".")[0], "slot": place.split(".")[1], "fact": fact}
        )
        for place, fact in ((p, Fact(value=v, source=source)) for p, v in values.items())
    ]
    return step(record, kind, facts=placed)


def record() -> Record:
    newer = visit(
        "LK2",
        1,
        vitals=Vitals(weight_kg=70, systolic_mmhg=128, diastolic_mmhg=82),
        drugs=[Drug(name="Amlodipin", strength="5mg")],
        revisit_date=date(2026, 12, 1),
    )
    older = visit(
        "LK1", 30, vitals=Vitals(weight_kg=64, height_cm=170), revisit_date=date(2026, 11, 1)
    )
    r = step(step(None, "visit_added", visit=newer), "visit_added", visit=older)  # older, later
    r = said(
        r,
        "self_declared",
        {"vitals.height_cm": 168, "health.blood_group": "AB-", "health.drug_allergies": NONE_KNOWN},
    )
    return said(r, "clinician_confirmed", {"health.blood_group": "O+"}, days_ago=60)


def test_the_alerts_come_first_with_allergies_first():
    view = record_view(record(), today=TODAY)

    assert list(view)[:4] == ["person_id", "version", "alerts", "vitals"]
    assert list(view["alerts"]) == [
        "drug_allergies",
        "other_allergies",
        "chronic_conditions",
        "current_medications",
        "blood_group",
    ]
    assert (view["person_id"], view["version"]) == (PID, 4)


def test_none_known_and_not_recorded_are_said_apart():
    alerts = record_view(record(), today=TODAY)["alerts"]

    assert alerts["drug_allergies"] == {
        "status": "none_known",
        "value": NONE_KNOWN,
        "source": {
            "kind": "self_declared",
            "badge": "người dân tự khai",
            "by": "citizen",
            "at": NOW.isoformat(),
        },
    }
    assert alerts["other_allergies"] == {"status": "not_recorded"}
    assert alerts["chronic_conditions"] == {"status": "not_recorded"}
    empty = record_view(Record(person_id=PID), today=TODAY)["alerts"]
    assert empty["current_medications"] == {"status": "not_recorded", "items": []}


def test_a_list_with_items_is_recorded_and_facility_reported_conditions_are_listed():
    items = {"none_known": False, "items": [{"kind": "drug", "substance": "Penicillin"}]}
    r = said(record(), "self_declared", {"health.drug_allergies": items})
    r = step(r, "visit_added", visit=visit("LK3", 0, main_icd10="E11.9"))
    alerts = record_view(r, today=TODAY)["alerts"]

    assert (alerts["drug_allergies"]["status"], alerts["drug_allergies"]["value"]) == (
        "recorded",
        items,
    )
    assert alerts["chronic_conditions"] == {"status": "recorded", "reported_by_facilities": ["E11"]}


def test_a_self_declared_value_is_shown_beside_the_clinician_confirmed_one():
    blood_group = record_view(record(), today=TODAY)["alerts"]["blood_group"]

    assert (blood_group["status"], blood_group["value"]) == ("recorded", "O+")
    assert blood_group["source"]["kind"] == "clinician_confirmed"
    assert blood_group["source"]["badge"] == "bác sĩ xác nhận"
    assert blood_group["source"]["by"] == "bs-0042"
    assert [(a["value"], a["source"]["badge"]) for a in blood_group["also"]] == [
        ("AB-", "người dân tự khai")
    ]


def test_a_late_older_visit_does_not_replace_newer_vitals_in_the_view():
    vitals = record_view(record(), today=TODAY)["vitals"]

    weight = vitals["weight_kg"]
    assert weight["value"] == 70
    assert weight["source"]["visit_key"] == "01001:LK2"
    assert weight["source"]["badge"] == "cơ sở y tế ghi nhận"
    assert vitals["blood_pressure"]["value"] == {"systolic": 128, "diastolic": 82}
    height = vitals["height_cm"]  # the citizen's is the latest measurement
    assert (height["value"], height["source"]["kind"]) == (168, "self_declared")
    assert [(a["value"], a["source"]["visit_key"]) for a in height["also"]] == [(170, "01001:LK1")]
    assert vitals["pulse_bpm"] == {"status": "not_recorded"}


def test_current_medications_are_the_newer_visits_and_only_upcoming_appointments_show():
    view = record_view(record(), today=TODAY)

    medications = view["alerts"]["current_medications"]
    assert medications["status"] == "recorded"
    assert [(m["name"], m["visit_key"]) for m in medications["items"]] == [
        ("Amlodipin", "01001:LK2")
    ]
    assert [a["date"] for a in view["appointments"]] == ["2026-12-01"]
    assert record_view(record(), today=date(2026, 12, 2))["appointments"] == []
    assert [e["key"] for e in view["encounters"]] == ["01001:LK2", "01001:LK1"]


def test_the_view_says_how_complete_the_record_is_and_what_to_add_next():
    completeness = record_view(record(), today=TODAY)["completeness"]

    assert completeness["best_next"] == "chronic_diseases"
    assert completeness["best_next_label"] == "Bệnh mạn tính"
    assert completeness["total"] == 46
    assert completeness["score"] == round(completeness["filled"] / 46, 4)
    assert record_view(Record(person_id=PID), today=TODAY)["completeness"] is None


def test_a_summary_share_shows_alerts_vitals_and_appointments_only():
    summary = summary_view(record(), today=TODAY)

    assert list(summary) == ["person_id", "version", "alerts", "vitals", "appointments"]
    assert summary["alerts"] == record_view(record(), today=TODAY)["alerts"]


def test_a_facility_reported_condition_is_not_hidden_behind_none_known():
    r = said(record(), "self_declared", {"health.chronic_conditions": NONE_KNOWN})
    r = step(r, "visit_added", visit=visit("LK3", 0, main_icd10="I10"))
    chronic = record_view(r, today=TODAY)["alerts"]["chronic_conditions"]

    assert chronic["reported_by_facilities"] == ["I10"]
    assert chronic["status"] == "recorded"  # a facility's diagnosis outweighs "none known"
    assert chronic["value"] == NONE_KNOWN  # and what the citizen said is still shown
