"""The record on the FHIR R4 read side: the Patient resource, `$everything` (a searchset Bundle:
the Patient, every clinical resource of the summary, and one Encounter per visit in its latest
revision) and the CapabilityStatement that says what this server does. `$summary` is the
International Patient Summary document of domain/ips.py. Pure: the same record and visits give
the same resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hssk_contracts.visit import Visit
from hssk_records.domain import ips
from hssk_records.domain.ips_resources import ICD10, TERMINOLOGY, concept, meta, when
from hssk_records.domain.record import Record

FHIR_VERSION = "4.0.1"
ACT_CODE = f"{TERMINOLOGY}/v3-ActCode"
SUMMARY_OPERATION = "http://hl7.org/fhir/uv/ips/OperationDefinition/summary"
EVERYTHING_OPERATION = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
HEAD = ("Composition", "Patient", "Device")  # the document's own; not clinical content


def patient(record: Record) -> dict[str, Any]:
    """The Patient, under the person id, its version the record's."""
    return {
        "resourceType": "Patient",
        "id": record.person_id,
        "meta": {"versionId": str(record.version)},
        **{k: v for k, v in ips.patient(record).items() if k != "resourceType"},
    }


def everything(record: Record, visits: list[Visit], *, now: datetime) -> dict[str, Any]:
    """All the platform holds about the patient, as a searchset: the Patient (the match), then
    what the summary lists and every visit (included), newest visit first."""
    document = ips.bundle(record, now=now)
    (subject,) = [e for e in document["entry"] if e["resource"]["resourceType"] == "Patient"]
    clinical = [e for e in document["entry"] if e["resource"]["resourceType"] not in HEAD]
    reference = {"reference": subject["fullUrl"]}
    newest_first = sorted(visits, key=lambda v: v.admitted_at, reverse=True)
    encounters = [
        {"fullUrl": ips.urn(record.person_id, "Encounter", i), "resource": encounter(v, reference)}
        for i, v in enumerate(newest_first)
    ]
    entries = [
        {"fullUrl": subject["fullUrl"], "resource": patient(record), "search": {"mode": "match"}},
        *({**e, "search": {"mode": "include"}} for e in [*clinical, *encounters]),
    ]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": when(now),
        "total": 1,  # the matches: the one Patient; the rest is included
        "entry": entries,
    }


def encounter(visit: Visit, subject: dict[str, str]) -> dict[str, Any]:
    inpatient = visit.inpatient_at is not None
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "meta": meta("facility_reported", visit.facility_code),
        "identifier": [{"system": f"{ips.SID}/visit", "value": visit.key}],
        "status": "finished" if visit.discharged_at else "in-progress",
        "class": {
            "system": ACT_CODE,
            "code": "IMP" if inpatient else "AMB",
            "display": "inpatient encounter" if inpatient else "ambulatory",
        },
        "subject": subject,
        "period": {"start": when(visit.admitted_at)},
        "serviceProvider": {
            "identifier": {"system": f"{ips.SID}/facility", "value": visit.facility_code}
        },
    }
    if visit.discharged_at:
        resource["period"]["end"] = when(visit.discharged_at)
    if visit.main_icd10:
        resource["reasonCode"] = [concept(ICD10, visit.main_icd10, visit.diagnosis_discharge)]
    return resource


def capability_statement(*, base: str, now: datetime) -> dict[str, Any]:
    """What this server answers: Patient read, $summary and $everything, in JSON, behind a
    bearer token."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": when(now),
        "kind": "instance",
        "implementation": {"description": "HSSK records: the citizen's health record", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "A bearer JWT of the city's issuer; the same access rules "
                    "and audit as /v1/records/{id}: the citizen, a doctor whose facility saw "
                    "the citizen or under an emergency access."
                },
                "resource": [
                    {
                        "type": "Patient",
                        "interaction": [{"code": "read"}],
                        "operation": [
                            {"name": "summary", "definition": SUMMARY_OPERATION},
                            {"name": "everything", "definition": EVERYTHING_OPERATION},
                        ],
                    }
                ],
            }
        ],
    }
