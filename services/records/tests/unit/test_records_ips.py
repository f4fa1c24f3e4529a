"""domain/ips: a record as an International Patient Summary (a FHIR R4 document Bundle)."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from hssk_cli import synth
from hssk_contracts.visit import Immunization, Vitals
from hssk_records.domain import declaration, events, ips
from hssk_records.domain.events import Change, Placed, RecordEvent
from hssk_records.domain.facts import Fact, Source
from hssk_records.domain.ips_resources import ABSENT, ICD10, PROVENANCE
from hssk_records.domain.record import Record

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PID = "person-0001"
UCUM = "http://unitsofmeasure.org"
PROBLEMS, ALLERGIES, MEDICATIONS = "11450-4", "48765-2", "10160-0"
IMMUNIZATIONS, VITALS, RESULTS = "11369-6", "8716-3", "30954-2"
MEASURED = Vitals(
    height_cm=165,
    weight_kg=60,
    systolic_mmhg=130,
    diastolic_mmhg=85,
    pulse_bpm=72,
    temperature_c=37.2,
)


def _event(record: Record | None, change: Change, by: str, **fields: Any) -> Record:
    version = record.version + 1 if record else 1
    event = RecordEvent(
        person_id=PID, version=version, at=NOW, change=change, cause="test", by=by, **fields
    )
    return events.apply(record, event)


def declared(record: Record | None, body: dict[str, Any]) -> Record:
    parsed, problems = declaration.parse(body)
    assert parsed is not None, problems
    facts = declaration.facts_of(parsed, NOW)
    placed = [
        Placed.model_validate({"part": p, "slot": s, "fact": f}) for (p, s), f in facts.items()
    ]
    return _event(record, "self_declared", "citizen", facts=placed)


def visited(record: Record | None, **changes: Any) -> Record:
    person = next(p for p in synth.population(10, seed=3) if p.bhyt)
    visit = synth.visit(person, random.Random(4), now=NOW, facility="01001", visit_id="LK1")
    patient = visit.patient.model_copy(update={"blood_group": "O+", "birth_date": "1990-05"})
    visit = visit.model_copy(update={"patient": patient, **changes})
    return _event(record, "visit_added", "01001", visit=visit)


def full_record() -> Record:
    record = visited(
        None,
        main_icd10="I10",
        diagnosis_discharge="Tăng huyết áp vô căn",
        secondary_icd10=["E11.9", "J06.9"],
        vitals=MEASURED,
        immunizations=[Immunization(name="Viêm gan B")],
    )
    return declared(
        record,
        {
            "height_cm": 166,  # declared after the visit: the latest height
            "drug_allergies": {
                "items": [{"kind": "drug", "substance": "Penicillin", "reaction": "Nổi mề đay"}]
            },
            "other_allergies": {"items": [{"kind": "food", "substance": "Tôm"}]},
            "chronic_conditions": {
                "items": [{"name": "Hen phế quản", "icd10": "J45", "since_year": 2010}]
            },
            "vaccinations": {"items": [{"name": "Sởi", "given_on": "2020-03-01", "dose": 1}]},
        },
    )


def resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def section(bundle: dict[str, Any], code: str) -> list[dict[str, Any]] | None:
    """The resources the section with this LOINC code refers to (None: no such section)."""
    composition = bundle["entry"][0]["resource"]
    by_url = resources(bundle)
    for s in composition["section"]:
        if s["code"]["coding"][0]["code"] == code:
            return [by_url[e["reference"]] for e in s["entry"]]
    return None


def codes(concept: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept.get("coding", [])}


def provenance(resource: dict[str, Any]) -> set[str]:
    tags = resource["meta"]["tag"]
    assert {t["system"] for t in tags} == {PROVENANCE}
    return {t["code"] for t in tags}


def named(items: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(r for r in items if text in json.dumps(r, ensure_ascii=False))


def test_an_empty_record_has_the_three_mandatory_sections_with_no_info_codes():
    bundle = ips.bundle(Record(person_id=PID), now=NOW)

    composition = bundle["entry"][0]["resource"]
    assert [s["code"]["coding"][0]["code"] for s in composition["section"]] == [
        PROBLEMS,
        ALLERGIES,
        MEDICATIONS,
    ]
    expected = {
        PROBLEMS: "no-problem-info",
        ALLERGIES: "no-allergy-info",
        MEDICATIONS: "no-medication-info",
    }
    for code, absent in expected.items():
        [resource] = section(bundle, code) or []
        concept = resource.get("code") or resource["medicationCodeableConcept"]
        assert codes(concept) == {(ABSENT, absent)}
        assert "meta" not in resource  # nobody said anything: no provenance to give
    patient = bundle["entry"][1]["resource"]
    assert patient["gender"] == "unknown"
    assert patient["_birthDate"]["extension"][0]["valueCode"] == "unknown"


def test_none_known_allergies_and_problems_give_the_no_known_codes_as_the_citizen_said():
    nothing = {"none_known": True}
    record = declared(
        None,
        {"drug_allergies": nothing, "other_allergies": nothing, "chronic_conditions": nothing},
    )
    bundle = ips.bundle(record, now=NOW)

    [allergy] = section(bundle, ALLERGIES) or []
    assert codes(allergy["code"]) == {(ABSENT, "no-known-allergies")}
    assert provenance(allergy) == {"self_declared", "by:citizen"}
    [problem] = section(bundle, PROBLEMS) or []
    assert codes(problem["code"]) == {(ABSENT, "no-known-problems")}
    [medication] = section(bundle, MEDICATIONS) or []
    assert codes(medication["medicationCodeableConcept"]) == {(ABSENT, "no-medication-info")}


def test_no_known_drug_allergy_alone_says_no_known_medication_allergies():
    drug_only = ips.bundle(declared(None, {"drug_allergies": {"none_known": True}}), now=NOW)
    other_only = ips.bundle(declared(None, {"other_allergies": {"none_known": True}}), now=NOW)

    [allergy] = section(drug_only, ALLERGIES) or []
    assert codes(allergy["code"]) == {(ABSENT, "no-known-medication-allergies")}
    # "No other allergy" says nothing of drug allergies, which matter most.
    [allergy] = section(other_only, ALLERGIES) or []
    assert codes(allergy["code"]) == {(ABSENT, "no-allergy-info")}


def test_declared_allergies_and_reported_conditions_carry_their_provenance():
    bundle = ips.bundle(full_record(), now=NOW)

    allergies = section(bundle, ALLERGIES) or []
    assert [a["code"]["text"] for a in allergies] == ["Penicillin", "Tôm"]
    penicillin = allergies[0]
    assert provenance(penicillin) == {"self_declared", "by:citizen"}
    assert penicillin["category"] == ["medication"]
    assert penicillin["reaction"][0]["manifestation"][0]["text"] == "Nổi mề đay"
    assert penicillin["verificationStatus"]["coding"][0]["code"] == "unconfirmed"

    problems = section(bundle, PROBLEMS) or []
    asthma = named(problems, "Hen phế quản")
    assert codes(asthma["code"]) == {(ICD10, "J45")}
    assert asthma["onsetDateTime"] == "2010"
    assert provenance(asthma) == {"self_declared", "by:citizen"}
    reported = [p for p in problems if "facility_reported" in provenance(p)]
    assert [codes(p["code"]) for p in reported] == [{(ICD10, "E11")}, {(ICD10, "I10")}]
    assert all(provenance(p) == {"facility_reported", "by:01001"} for p in reported)
    assert reported[1]["code"]["text"] == "Tăng huyết áp vô căn"  # J06.9 is not chronic
    assert len(problems) == 3


def test_a_clinicians_confirmed_allergies_are_shown_confirmed_over_the_citizens():
    source = Source(kind="clinician_confirmed", by="bs-0042", at=NOW - timedelta(days=1))
    fact = Fact(value={"none_known": False, "items": [{"substance": "Aspirin"}]}, source=source)
    confirmed = [Placed(part="health", slot="drug_allergies", fact=fact)]
    record = _event(full_record(), "clinician_confirmed", "bs-0042", facts=confirmed)

    allergies = section(ips.bundle(record, now=NOW), ALLERGIES) or []
    assert [a["code"]["text"] for a in allergies] == ["Aspirin", "Tôm"]
    assert provenance(allergies[0]) == {"clinician_confirmed", "by:bs-0042"}
    assert allergies[0]["verificationStatus"]["coding"][0]["code"] == "confirmed"


def test_vital_signs_take_the_latest_measurement_in_ucum_units():
    vitals = section(ips.bundle(full_record(), now=NOW), VITALS) or []

    quantities = {
        next(iter(codes(v["code"])))[1]: v["valueQuantity"] for v in vitals if "valueQuantity" in v
    }
    assert {k: (q["system"], q["code"], q["value"]) for k, q in quantities.items()} == {
        "8302-2": (UCUM, "cm", 166),
        "29463-7": (UCUM, "kg", 60),
        "8867-4": (UCUM, "/min", 72),
        "8310-5": (UCUM, "Cel", 37.2),
    }
    height = named(vitals, "8302-2")
    assert provenance(height) == {"self_declared", "by:citizen"}
    pressure = named(vitals, "85354-9")
    assert provenance(pressure) == {"facility_reported", "by:01001"}
    assert [
        (next(iter(codes(c["code"])))[1], c["valueQuantity"]["value"], c["valueQuantity"]["code"])
        for c in pressure["component"]
    ] == [("8480-6", 130, "mm[Hg]"), ("8462-4", 85, "mm[Hg]")]
    assert all(v["category"][0]["coding"][0]["code"] == "vital-signs" for v in vitals)


def test_results_medications_and_immunizations():
    record = full_record()
    bundle = ips.bundle(record, now=NOW)

    group, lab = section(bundle, RESULTS) or []
    assert codes(group["code"]) == {("http://loinc.org", "882-1")}
    assert group["valueCodeableConcept"]["text"] == "O+"
    assert lab["code"]["text"] == record.labs[0].name
    assert lab["valueString"] == f"{record.labs[0].value} mmol/L"
    assert lab["category"][0]["coding"][0]["code"] == "laboratory"
    [medication] = section(bundle, MEDICATIONS) or []
    drug = record.medications[0]
    assert medication["medicationCodeableConcept"]["text"] == f"{drug.name} {drug.strength}"
    assert medication["dosage"] == [{"text": drug.dosage}]
    assert provenance(medication) == {"facility_reported", "by:01001"}
    measles, hepatitis = section(bundle, IMMUNIZATIONS) or []
    assert (measles["occurrenceDateTime"], measles["protocolApplied"]) == (
        "2020-03-01",
        [{"doseNumberPositiveInt": 1}],
    )
    assert hepatitis["vaccineCode"]["text"] == "Viêm gan B"
    assert "occurrenceString" in hepatitis  # a visit's vaccines reach the record without a date
    assert provenance(hepatitis) == {"facility_reported", "by:01001"}


def test_the_document_starts_with_the_composition_then_the_patient():
    bundle = ips.bundle(full_record(), now=NOW)

    composition, patient = (e["resource"] for e in bundle["entry"][:2])
    assert (bundle["type"], bundle["timestamp"]) == ("document", NOW.isoformat())
    assert codes(composition["type"]) == {("http://loinc.org", "60591-5")}
    assert (composition["status"], composition["date"]) == ("final", NOW.isoformat())
    assert composition["title"] == "Hồ sơ sức khỏe — tóm tắt (International Patient Summary)"
    assert composition["subject"]["reference"] == bundle["entry"][1]["fullUrl"]
    author = resources(bundle)[composition["author"][0]["reference"]]
    assert author["resourceType"] == "Device"
    assert patient["resourceType"] == "Patient"
    assert patient["birthDate"] == "1990-05"
    assert {i["system"].rsplit("/", 1)[1] for i in patient["identifier"]} == {"cccd", "bhyt"}
    assert patient["identifier"][1]["system"] == "https://hssk.example/fhir/sid/cccd"
    assert patient["telecom"][0]["system"] == "phone"
    assert patient["gender"] in ("male", "female")


RECORDS = {
    "empty": lambda: Record(person_id=PID),
    "none_known": lambda: declared(None, {"drug_allergies": {"none_known": True}}),
    "full": full_record,
}


def _no_empty_values(value: Any, path: str = "$") -> None:
    """FHIR forbids empty strings, lists and objects, and nulls (fhir.resources lets them by)."""
    assert value not in (None, "", [], {}), path
    if isinstance(value, dict | list):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            _no_empty_values(child, f"{path}.{key}")


@pytest.mark.parametrize("make", RECORDS.values(), ids=RECORDS.keys())
def test_the_bundle_validates_and_every_reference_resolves_inside_it(make):
    bundle = ips.bundle(make(), now=NOW)

    Bundle.model_validate(bundle)
    _no_empty_values(bundle)
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    references = {m for m in _strings(bundle) if m.startswith("urn:uuid:")} - set(urls)
    assert references == {bundle["identifier"]["value"]}
    for s in bundle["entry"][0]["resource"]["section"]:
        assert s["text"]["status"] == "generated"
        div = ET.fromstring(s["text"]["div"])  # well-formed XHTML, which fhir.resources skips
        assert div.tag == "{http://www.w3.org/1999/xhtml}div"
        assert all(li.text for li in div.iter("{http://www.w3.org/1999/xhtml}li"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_the_same_record_gives_the_same_bundle():
    first, again = ips.bundle(full_record(), now=NOW), ips.bundle(full_record(), now=NOW)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)

    later = ips.bundle(full_record(), now=NOW + timedelta(hours=1))
    assert [e["fullUrl"] for e in later["entry"]] == [e["fullUrl"] for e in first["entry"]]
    assert later["identifier"] != first["identifier"]  # another document
    other = ips.bundle(full_record().model_copy(update={"person_id": "person-0002"}), now=NOW)
    assert not {e["fullUrl"] for e in other["entry"]} & {e["fullUrl"] for e in first["entry"]}
