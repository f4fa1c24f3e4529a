"""How complete a record is on the 46 fields, and the one missing item that would help most.

A field is filled when any source filled it; "none known" (no allergy, no chronic condition)
is an answer and fills it. The best next item is the first missing field in BEST_NEXT that the
citizen can fill themselves, ordered by what a doctor with two minutes needs first: a drug
allergy can kill if unknown, chronic conditions change every treatment, the blood group
matters in an emergency transfusion, someone to call when the patient cannot speak, then
vaccinations, other allergies, height and weight (doses for children and the elderly), and a
phone to be reached on."""

from __future__ import annotations

from hssk_records.domain.record import Completeness, Record
from hssk_records.domain.template import FIELDS, SELF_DECLARABLE

BEST_NEXT = (
    "drug_allergy",
    "chronic_diseases",
    "blood_group",
    "representative_phone",
    "representative_name",
    "vaccinations",
    "other_allergy",
    "weight",
    "height",
    "phone",
    "representative_relation",
    "representative_id",
)
assert set(BEST_NEXT) == set(SELF_DECLARABLE)
ADMIN = {  # template field -> admin slot
    "name": "name",
    "birth_date": "birth_date",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "nationality": "nationality",
    "occupation": "occupation",
    "phone": "phone",
    "address": "address",
    "initial_facility": "initial_facility",
    "bhyt_card": "bhyt",
}
HEALTH = {
    "drug_allergy": "drug_allergies",
    "other_allergy": "other_allergies",
    "blood_group": "blood_group",
}
REPRESENTATIVE = {
    "representative_name": "name",
    "representative_relation": "relation",
    "representative_id": "id_number",
    "representative_phone": "phone",
}


def filled(record: Record) -> set[str]:
    out = {f for f, slot in ADMIN.items() if record.trusted("admin", slot)}
    out |= {f for f, slot in HEALTH.items() if record.trusted("health", slot)}
    out |= {
        f
        for f in ("height", "weight")
        if record.slot("vitals", f"{f}_cm" if f == "height" else "weight_kg").latest()
    }
    kinds = {i.type for i in record.identifiers}
    if "cccd" in kinds:
        out.add("personal_id")
    if "bhyt" in kinds:
        out.add("bhyt_card")
    for field, kind in (
        ("chronic_diseases", "chronic_conditions"),
        ("vaccinations", "vaccinations"),
    ):
        if record.trusted("health", kind) or record.reported_items(kind):
            out.add(field)
    representative = record.trusted("health", "representative")
    if representative:
        out |= {f for f, key in REPRESENTATIVE.items() if representative.value.get(key)}
    out |= set(record.visit_fields)
    return out & {key for key, _ in FIELDS}


def assess(record: Record) -> Completeness:
    have = filled(record)
    missing = [key for key, _ in FIELDS if key not in have]
    best = next((f for f in BEST_NEXT if f in missing), None)
    return Completeness(
        filled=len(FIELDS) - len(missing), total=len(FIELDS), missing=missing, best_next=best
    )
