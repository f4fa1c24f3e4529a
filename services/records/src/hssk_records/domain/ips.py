"""A citizen's record as a FHIR R4 document Bundle shaped as an International Patient Summary. Each
clinical resource has two meta.tag codes in https://hssk.example/fhir/CodeSystem/provenance: its
kind (self_declared, facility_reported, clinician_confirmed) and `by:<facility code | citizen>`."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hssk_records.domain import ips_optional as optional
from hssk_records.domain import ips_resources as required
from hssk_records.domain.ips_resources import LOINC, Item, Ref, concept, when
from hssk_records.domain.record import Record

TITLE = "Hồ sơ sức khỏe — tóm tắt (International Patient Summary)"
SID = "https://hssk.example/fhir/sid"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
XHTML = "http://www.w3.org/1999/xhtml"
# Fixed, so that fullUrls are a function of the record alone (no randomness).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://hssk.example/fhir/ips")
DEVICE = {
    "resourceType": "Device",
    "deviceName": [{"name": "HSSK — Hồ sơ sức khỏe điện tử", "type": "user-friendly-name"}],
}
Build = Callable[[Record, Ref], list[Item]]
# key, LOINC code and display, Vietnamese title, builder. Problems, allergies and medications
# always give at least one resource (an IPS absent/unknown code when the record has none).
# fmt: off
SECTIONS: tuple[tuple[str, str, str, str, Build], ...] = (
    ("problems", "11450-4", "Problem list - Reported",
     "Bệnh và vấn đề sức khỏe", required.problems),
    ("allergies", "48765-2", "Allergies and adverse reactions Document",
     "Dị ứng", required.allergies),
    ("medications", "10160-0", "History of Medication use Narrative",
     "Thuốc được kê", required.medications),
    ("immunizations", "11369-6", "History of Immunization Narrative",
     "Tiêm chủng", optional.immunizations),
    ("vital_signs", "8716-3", "Vital signs",
     "Dấu hiệu sinh tồn", optional.vital_signs),
    ("results", "30954-2", "Relevant diagnostic tests/laboratory data Narrative",
     "Kết quả xét nghiệm", optional.results),
)
# fmt: on


def bundle(record: Record, *, now: datetime) -> dict[str, Any]:
    """The summary of `record` at `now`: the same record and instant give the same bundle."""
    urn = _urns(record.person_id)
    subject = {"reference": urn("Patient", 0)}
    sections, entries = _sections(record, subject, urn)
    composition = {
        "resourceType": "Composition",
        "language": "vi",
        "status": "final",
        "type": concept(LOINC, "60591-5", "Patient summary Document"),
        "subject": subject,
        "date": when(now),
        "author": [{"reference": urn("Device", 0)}],
        "title": TITLE,
        "section": sections,
    }
    head = [
        {"fullUrl": urn("Composition", 0), "resource": composition},
        {"fullUrl": urn("Patient", 0), "resource": patient(record)},
        {"fullUrl": urn("Device", 0), "resource": DEVICE},
    ]
    # A document needs an identifier of its own: one per record version and instant.
    identifier = urn(f"Bundle/{record.version}/{when(now)}", 0)
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": identifier},
        "type": "document",
        "timestamp": when(now),
        "entry": [*head, *entries],
    }


def urn(person_id: str, kind: str, index: int) -> str:
    """A resource's fullUrl: a function of the record and its place alone."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{person_id}/{kind}/{index}')}"


def _urns(person_id: str) -> Callable[[str, int], str]:
    return lambda kind, index: urn(person_id, kind, index)


def _sections(
    record: Record, subject: Ref, urn: Callable[[str, int], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sections, entries = [], []
    for key, code, display, title, build in SECTIONS:
        items = build(record, subject)
        if not items:
            continue
        urls = [urn(f"{key}/{r['resourceType']}", i) for i, (r, _) in enumerate(items)]
        sections.append(
            {
                "title": title,
                "code": concept(LOINC, code, display),
                "text": _narrative([line for _, line in items]),
                "entry": [{"reference": url} for url in urls],
            }
        )
        entries += [{"fullUrl": u, "resource": r} for u, (r, _) in zip(urls, items, strict=True)]
    return sections, entries


def _narrative(lines: list[str]) -> dict[str, str]:
    rows = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    div = f'<div xmlns="{XHTML}" lang="vi" xml:lang="vi"><ul>{rows}</ul></div>'
    return {"status": "generated", "div": div}


def _admin(record: Record, name: str, *, latest: bool = False) -> Any:
    slot = record.slot("admin", name)
    fact = slot.latest() if latest else slot.trusted()
    return fact.value if fact else None


def patient(record: Record) -> dict[str, Any]:
    name, birth, sex = (_admin(record, k) for k in ("name", "birth_date", "sex"))
    # Contact details change: the newest one is the one that reaches the citizen.
    phone, address = (_admin(record, k, latest=True) for k in ("phone", "address"))
    ids = sorted(record.identifiers, key=lambda i: (i.type, i.value))
    patient: dict[str, Any] = {"resourceType": "Patient"}
    if ids:  # FHIR forbids empty lists
        patient["identifier"] = [{"system": f"{SID}/{i.type}", "value": i.value} for i in ids]
    if name:
        patient["name"] = [{"text": name}]
    if phone:
        patient["telecom"] = [{"system": "phone", "value": phone}]
    patient["gender"] = sex if sex in ("male", "female") else "unknown"
    if birth:
        patient["birthDate"] = birth  # "1990", "1990-05" or "1990-05-01": all FHIR dates
    else:  # IPS requires a birth date, or the reason it is absent
        patient["_birthDate"] = {"extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]}
    if address:
        patient["address"] = [{"text": address}]
    return patient
