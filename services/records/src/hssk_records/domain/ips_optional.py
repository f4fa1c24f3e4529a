"""The patient summary's sections present only when the record has data for them: immunizations,
vital signs (a slot's latest measurement, UCUM units) and results (labs, and the blood group)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hssk_records.domain.facts import Fact
from hssk_records.domain.ips_resources import (
    LOINC,
    TERMINOLOGY,
    Item,
    Ref,
    badge,
    concept,
    listed,
    meta,
    reported_by,
    when,
)
from hssk_records.domain.record import Lab, Record

UCUM = "http://unitsofmeasure.org"
QUANTITIES = (  # vitals slot, LOINC code and display, UCUM code, unit shown, Vietnamese label
    ("height_cm", "8302-2", "Body height", "cm", "cm", "Chiều cao"),
    ("weight_kg", "29463-7", "Body weight", "kg", "kg", "Cân nặng"),
    ("pulse_bpm", "8867-4", "Heart rate", "/min", "lần/phút", "Mạch"),
    ("temperature_c", "8310-5", "Body temperature", "Cel", "°C", "Nhiệt độ"),
)
PRESSURES = (("systolic", "8480-6", "Systolic blood pressure"),
             ("diastolic", "8462-4", "Diastolic blood pressure"))  # fmt: skip
MMHG = {"system": UCUM, "code": "mm[Hg]", "unit": "mmHg"}


def immunizations(record: Record, patient: Ref) -> list[Item]:
    fact = record.trusted("health", "vaccinations")
    items = [
        _immunization(v["name"], fact.source.kind, fact.source.by, patient, v)
        for v in listed(fact)
        if fact
    ]
    for name in record.reported_items("vaccinations"):
        facility, _ = reported_by(record, "vaccinations", name)
        items.append(_immunization(name, "facility_reported", facility, patient, {}))
    return items


def _immunization(name: str, kind: str, by: str, patient: Ref, item: dict[str, Any]) -> Item:
    resource: dict[str, Any] = {
        "resourceType": "Immunization",
        "meta": meta(kind, by),
        "status": "completed",
        "vaccineCode": {"text": name},
        "patient": patient,
    }
    # A visit's vaccines reach the record by name only: their date is not kept.
    given = str(item["given_on"]) if item.get("given_on") else None
    if given:
        resource["occurrenceDateTime"] = given
    else:
        resource["occurrenceString"] = "Không rõ ngày tiêm"
    if item.get("dose"):
        resource["protocolApplied"] = [{"doseNumberPositiveInt": item["dose"]}]
    dose = f", mũi {item['dose']}" if item.get("dose") else ""
    return resource, f"{name} ({given or 'không rõ ngày'}{dose}) — {badge(kind, by)}"


def _observation(
    kind: str, by: str, at: datetime, patient: Ref, category: str, code: dict[str, Any]
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": meta(kind, by),
        "status": "final",
        "category": [concept(f"{TERMINOLOGY}/observation-category", category)],
        "code": code,
        "subject": patient,
        "effectiveDateTime": when(at),
    }


def _measured(fact: Fact, patient: Ref, code: str, display: str) -> dict[str, Any]:
    s = fact.source
    return _observation(s.kind, s.by, s.at, patient, "vital-signs", concept(LOINC, code, display))


def vital_signs(record: Record, patient: Ref) -> list[Item]:
    items = []
    for slot, code, display, ucum, unit, label in QUANTITIES:
        fact = record.slot("vitals", slot).latest()
        if fact is None:
            continue
        quantity = {"value": fact.value, "unit": unit, "system": UCUM, "code": ucum}
        resource = {**_measured(fact, patient, code, display), "valueQuantity": quantity}
        line = f"{label}: {fact.value} {unit} — {badge(fact.source.kind, fact.source.by)}"
        items.append((resource, line))
    pressure = record.slot("vitals", "blood_pressure").latest()
    if pressure is not None:
        items.append(_blood_pressure(pressure, patient))
    return items


def _blood_pressure(fact: Fact, patient: Ref) -> Item:
    resource = _measured(
        fact, patient, "85354-9", "Blood pressure panel with all children optional"
    )
    resource["component"] = [
        {"code": concept(LOINC, code, display), "valueQuantity": {"value": fact.value[k], **MMHG}}
        for k, code, display in PRESSURES
    ]
    shown = f"{fact.value['systolic']}/{fact.value['diastolic']} mmHg"
    return resource, f"Huyết áp: {shown} — {badge(fact.source.kind, fact.source.by)}"


def results(record: Record, patient: Ref) -> list[Item]:
    items = [_lab(lab, patient) for lab in record.labs]
    group = record.trusted("health", "blood_group")
    return [_blood_group(group, patient), *items] if group else items


def _blood_group(fact: Fact, patient: Ref) -> Item:
    s = fact.source
    code = concept(LOINC, "882-1", "ABO and Rh group [Type] in Blood")
    resource = _observation(s.kind, s.by, s.at, patient, "laboratory", code)
    # Visits send the group as free text: it is shown as sent, not coded.
    resource["valueCodeableConcept"] = {"text": str(fact.value)}
    return resource, f"Nhóm máu: {fact.value} — {badge(s.kind, s.by)}"


def _lab(lab: Lab, patient: Ref) -> Item:
    facility = lab.visit_key.split(":", 1)[0]  # a lab keeps its visit's key, not its facility
    resource = _observation(
        "facility_reported", facility, lab.at, patient, "laboratory", {"text": lab.name}
    )
    shown = " ".join(p for p in (lab.value, lab.unit) if p) if lab.value else ""
    if shown:
        resource["valueString"] = shown
    if lab.conclusion:
        resource["note"] = [{"text": lab.conclusion}]
    told = shown or lab.conclusion or "chưa có kết quả"
    day = lab.at.date().isoformat()
    return resource, f"{lab.name}: {told} ({day}) — {badge('facility_reported', facility)}"
