"""The patient summary's three mandatory sections (problems, allergies, medications), each resource
a FHIR R4 dict with its line of Vietnamese narrative, and the helpers `ips_optional.py` shares.
What a clinician must rely on (allergies, conditions) takes a slot's trusted fact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hssk_records.domain.facts import BADGES_VI, Fact
from hssk_records.domain.record import Encounter, Medication, Record

PROVENANCE = "https://hssk.example/fhir/CodeSystem/provenance"
ABSENT = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
Item = tuple[dict[str, Any], str]  # a resource, and its line in its section's narrative
Ref = dict[str, str]

ABSENT_CODES = {  # IPS code -> (its display, the narrative line)
    "no-allergy-info": ("No information about allergies", "Không có thông tin về dị ứng"),
    "no-known-allergies": ("No known allergies", "Không có dị ứng đã biết"),
    "no-known-medication-allergies": (
        "No known medication allergies",
        "Không có dị ứng thuốc đã biết",
    ),
    "no-problem-info": ("No information about problems", "Không có thông tin về bệnh"),
    "no-known-problems": ("No known problems", "Không có bệnh đã biết"),
    "no-medication-info": ("No information about medications", "Không có thông tin về thuốc"),
}
ALLERGY_CATEGORY = {"drug": "medication", "food": "food", "chemical": "environment"}


def when(at: datetime) -> str:
    # FHIR refuses a time without an offset; an instant stored without one was UTC.
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


def meta(kind: str, by: str) -> dict[str, Any]:
    tags = [
        {"system": PROVENANCE, "code": kind, "display": BADGES_VI[kind]},
        {"system": PROVENANCE, "code": f"by:{by}"},
    ]
    return {"tag": tags}


def badge(kind: str, by: str) -> str:
    return BADGES_VI[kind] if by == "citizen" else f"{BADGES_VI[kind]} ({by})"


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding]}


def _status(name: str, code: str) -> dict[str, Any]:
    return concept(f"{TERMINOLOGY}/{name}", code)


def _verified(fact: Fact, name: str) -> dict[str, Any]:
    # Only a clinician confirms; what a citizen or a visit said stays unconfirmed.
    confirmed = fact.source.kind == "clinician_confirmed"
    return _status(name, "confirmed" if confirmed else "unconfirmed")


def _absent(resource_type: str, code: str, fact: Fact | None, **fields: Any) -> Item:
    """IPS's way to fill a mandatory section: "none known" (said by someone) or "no information"
    (said by nobody, so it carries no provenance)."""
    display, line = ABSENT_CODES[code]
    key = "medicationCodeableConcept" if resource_type == "MedicationStatement" else "code"
    resource: dict[str, Any] = {"resourceType": resource_type, **fields}
    if fact is not None:
        resource["meta"] = meta(fact.source.kind, fact.source.by)
    resource[key] = {**concept(ABSENT, code, display), "text": line}
    return resource, line


def listed(fact: Fact | None) -> list[dict[str, Any]]:
    return list(fact.value.get("items", [])) if fact else []


def _none_known(fact: Fact | None) -> bool:
    return bool(fact and fact.value.get("none_known") and not fact.value.get("items"))


def reported_by(record: Record, kind: str, item: str) -> tuple[str, Encounter | None]:
    """The facility of the newest visit that reported `item` (the record keeps only visit keys,
    'facility:visit id', here), and that visit if it is still among the recent encounters."""
    key = record.reported[kind][item][0]
    return key.split(":", 1)[0], next((e for e in record.encounters if e.key == key), None)


def allergies(record: Record, patient: Ref) -> list[Item]:
    drug, other = (record.trusted("health", s) for s in ("drug_allergies", "other_allergies"))
    items = [_allergy(a, f, patient) for f in (drug, other) if f for a in listed(f)]
    if _none_known(drug):
        code = "no-known-allergies" if _none_known(other) else "no-known-medication-allergies"
        return [*items, _no_allergy(code, drug, patient)]
    # "No other allergy" alone says nothing about drugs, the allergy that matters most.
    return items or [_no_allergy("no-allergy-info", None, patient)]


def _no_allergy(code: str, fact: Fact | None, patient: Ref) -> Item:
    active = _status("allergyintolerance-clinical", "active")  # FHIR requires it (ait-1)
    return _absent("AllergyIntolerance", code, fact, clinicalStatus=active, patient=patient)


def _allergy(item: dict[str, Any], fact: Fact, patient: Ref) -> Item:
    s = fact.source
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "meta": meta(s.kind, s.by),
        "clinicalStatus": _status("allergyintolerance-clinical", "active"),
        "verificationStatus": _verified(fact, "allergyintolerance-verification"),
        "code": {"text": item["substance"]},
        "patient": patient,
        "recordedDate": when(s.at),
    }
    if category := ALLERGY_CATEGORY.get(item.get("kind", "")):
        resource["category"] = [category]
    if item.get("reaction"):
        resource["reaction"] = [{"manifestation": [{"text": item["reaction"]}]}]
    reaction = f": {item['reaction']}" if item.get("reaction") else ""
    return resource, f"{item['substance']}{reaction} — {badge(s.kind, s.by)}"


def problems(record: Record, patient: Ref) -> list[Item]:
    fact = record.trusted("health", "chronic_conditions")
    items = [_declared_condition(c, fact, patient) for c in listed(fact) if fact]
    items += [
        _reported_condition(record, code, patient)
        for code in record.reported_items("chronic_conditions")
    ]
    if items:
        return items
    if _none_known(fact):
        return [_absent("Condition", "no-known-problems", fact, subject=patient)]
    return [_absent("Condition", "no-problem-info", None, subject=patient)]


def _condition(kind: str, by: str, patient: Ref, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "meta": meta(kind, by),
        "clinicalStatus": _status("condition-clinical", "active"),
        "category": [_status("condition-category", "problem-list-item")],
        **fields,
        "subject": patient,
    }


def _declared_condition(item: dict[str, Any], fact: Fact, patient: Ref) -> Item:
    s = fact.source
    code: dict[str, Any] = {"text": item["name"]}
    if item.get("icd10"):
        code = {**concept(ICD10, item["icd10"]), **code}
    fields: dict[str, Any] = {"verificationStatus": _verified(fact, "condition-ver-status")}
    if item.get("since_year"):
        fields["onsetDateTime"] = str(item["since_year"])  # a year is a FHIR dateTime
    resource = _condition(s.kind, s.by, patient, code=code, **fields, recordedDate=when(s.at))
    icd = f" ({item['icd10']})" if item.get("icd10") else ""
    return resource, f"{item['name']}{icd} — {badge(s.kind, s.by)}"


def _reported_condition(record: Record, icd10: str, patient: Ref) -> Item:
    facility, visit = reported_by(record, "chronic_conditions", icd10)
    code = concept(ICD10, icd10)
    main = (visit.main_icd10 or "").replace(".", "")[:3] if visit else ""
    if visit and visit.diagnosis and main == icd10:  # the visit's words for its main diagnosis
        code["text"] = visit.diagnosis
    fields = {"recordedDate": when(visit.admitted_at)} if visit else {}
    resource = _condition("facility_reported", facility, patient, code=code, **fields)
    line = f"{code.get('text', 'Bệnh mạn tính')} ({icd10})"
    return resource, f"{line} — {badge('facility_reported', facility)}"


def medications(record: Record, patient: Ref) -> list[Item]:
    if not record.medications:
        code = "no-medication-info"
        return [_absent("MedicationStatement", code, None, status="unknown", subject=patient)]
    return [_medication(m, patient) for m in record.medications]


def _medication(m: Medication, patient: Ref) -> Item:
    name = " ".join(p for p in (m.name, m.strength) if p)
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "meta": meta("facility_reported", m.facility_code),
        # The record knows what the latest visit prescribed, not whether it is still taken.
        "status": "unknown",
        "medicationCodeableConcept": {"text": name},
        "subject": patient,
        "effectiveDateTime": when(m.prescribed_at),
    }
    if m.dosage:
        resource["dosage"] = [{"text": m.dosage}]
    dosage = f": {m.dosage}" if m.dosage else ""
    when_vi = f"kê ngày {m.prescribed_at.date().isoformat()}"
    return resource, f"{name}{dosage} — {when_vi}, {badge('facility_reported', m.facility_code)}"
