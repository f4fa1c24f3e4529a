"""What one visit contributes to a record: facility-reported facts (observed at admission, so a
late older visit loses to a newer one), the conditions and vaccines it reports, its encounter,
labs, medications, appointment and referral. A corrected visit (same key, a later revision)
replaces everything its earlier revision contributed."""

from __future__ import annotations

from typing import Any

from hssk_contracts.visit import Visit
from hssk_records.domain.facts import Fact, Slot, Source
from hssk_records.domain.record import (
    KEPT_APPOINTMENTS,
    KEPT_REFERRALS,
    KEYS_PER_ITEM,
    RECENT_ENCOUNTERS,
    RECENT_LABS,
    Appointment,
    Encounter,
    Lab,
    Medication,
    Record,
    Referral,
)
from hssk_records.domain.template import filled_by

# ICD-10 blocks of chronic conditions a record lists (hypertension, diabetes, chronic heart,
# lung, kidney and liver disease, cancer, stroke after-effects, epilepsy, chronic mental
# illness). HIV and TB never reach here: ingest keeps them apart.
CHRONIC = (
    *"I10 I11 I12 I13 I15 E10 E11 E12 E13 E14 I20 I21 I22 I25 I48 I50 I69".split(),
    *"J44 J45 J46 N18 K74 B18 G40 F20 F31 F32 F33".split(),
    *(f"C{n:02d}" for n in range(98)),
)
PATIENT_FACTS = (
    "name",
    "birth_date",
    "sex",
    "phone",
    "address",
    "commune_code",
    "ethnicity",
    "nationality",
    "occupation",
    "initial_facility",
)


def chronic_codes(visit: Visit) -> set[str]:
    codes = [visit.main_icd10, *visit.secondary_icd10]
    return {c.replace(".", "")[:3] for c in codes if c and c.replace(".", "")[:3] in CHRONIC}


def with_visit(record: Record, visit: Visit, revised: bool = False) -> Record:
    key = visit.key
    source = Source(
        kind="facility_reported",
        by=visit.facility_code,
        visit_key=key,
        at=visit.admitted_at,
        sent=visit.sent_at,
    )
    return record.model_copy(
        update={
            "identifiers": _identifiers(record, visit),
            "admin": _put(record.admin, _admin_facts(visit), source),
            "health": _put(record.health, _health_facts(visit), source),
            "vitals": _put(record.vitals, _vitals(visit), source),
            "reported": _reported(record, visit),
            "visit_fields": _visit_fields(record, visit, source),
            "encounters": _encounters(record, visit),
            "encounter_count": record.encounter_count + (0 if revised else 1),
            "appointments": _appointments(record, visit),
            "referrals": _referrals(record, visit),
            "medications": _medications(record, visit),
            "labs": _labs(record, visit),
            "facilities": {
                **record.facilities,
                visit.facility_code: max(
                    visit.admitted_at, record.facilities.get(visit.facility_code, visit.admitted_at)
                ),
            },
        }
    )


def _put(slots: dict[str, Slot], values: dict[str, Any], source: Source) -> dict[str, Slot]:
    """The slots with this visit's values; what an earlier revision of the visit put is taken
    back first (a correction may move the admission earlier, or drop a value)."""
    out = {name: slot.without(source.visit_key) for name, slot in slots.items()}
    for name, value in values.items():
        if value not in (None, "", [], {}):
            out[name] = out.get(name, Slot()).put(Fact(value=value, source=source))
    return out


def _visit_fields(record: Record, visit: Visit, source: Source) -> dict[str, Source]:
    """Which visit last filled each template field: a late older visit takes none over."""
    out = dict(record.visit_fields)
    for name in filled_by(visit):
        held = out.get(name)
        if held is None or held.visit_key == visit.key or held.at <= source.at:
            out[name] = source
    return out


def _identifiers(record: Record, visit: Visit) -> list:
    known = {(i.type, i.value): i for i in record.identifiers}
    known.update({(i.type, i.value): i for i in visit.patient.identifiers})
    return list(known.values())


def _admin_facts(visit: Visit) -> dict[str, Any]:
    p = visit.patient
    facts = {name: getattr(p, name) for name in PATIENT_FACTS}
    facts["sex"] = p.sex if p.sex != "unknown" else None
    cards = [i.value for i in p.identifiers if i.type == "bhyt"]
    if cards:
        facts["bhyt"] = {
            "cards": cards,
            "valid_from": p.bhyt_valid_from,
            "valid_to": p.bhyt_valid_to,
        }
    return facts


def _health_facts(visit: Visit) -> dict[str, Any]:
    return {"blood_group": visit.patient.blood_group}


def _vitals(visit: Visit) -> dict[str, Any]:
    v = visit.vitals
    pressure = None
    if v.systolic_mmhg and v.diastolic_mmhg:
        pressure = {"systolic": v.systolic_mmhg, "diastolic": v.diastolic_mmhg}
    return {
        "height_cm": v.height_cm,
        "weight_kg": v.weight_kg,
        "blood_pressure": pressure,
        "pulse_bpm": v.pulse_bpm,
        "temperature_c": v.temperature_c,
    }


def _reported(record: Record, visit: Visit) -> dict[str, dict[str, list[str]]]:
    found = {
        "chronic_conditions": chronic_codes(visit),
        "vaccinations": {i.name for i in visit.immunizations},
    }
    out = {}
    for kind, items in found.items():
        held = {
            item: [k for k in keys if k != visit.key]
            for item, keys in record.reported.get(kind, {}).items()
        }
        for item in items:
            held[item] = [visit.key, *held.get(item, [])][:KEYS_PER_ITEM]
        out[kind] = {item: keys for item, keys in held.items() if keys}
    merged = {**record.reported, **out}
    return {kind: items for kind, items in merged.items() if items}  # one canonical form


def _encounters(record: Record, visit: Visit) -> list[Encounter]:
    this = Encounter(
        key=visit.key,
        facility_code=visit.facility_code,
        visit_id=visit.visit_id,
        revisit_date=visit.revisit_date,
        standard=visit.standard,
        visit_type=visit.visit_type,
        admitted_at=visit.admitted_at,
        discharged_at=visit.discharged_at,
        revision=visit.revision,
        reason=visit.reason,
        diagnosis=visit.diagnosis_discharge or visit.diagnosis_admission,
        main_icd10=visit.main_icd10,
        secondary_icd10=list(visit.secondary_icd10),
        outcome=visit.outcome,
        doctor_code=visit.doctor_code,
    )
    others = [e for e in record.encounters if e.key != visit.key]
    return sorted([this, *others], key=lambda e: e.admitted_at, reverse=True)[:RECENT_ENCOUNTERS]


def _appointments(record: Record, visit: Visit) -> list[Appointment]:
    kept = [a for a in record.appointments if a.visit_key != visit.key]
    if visit.revisit_date:
        kept.append(
            Appointment(
                date=visit.revisit_date, facility_code=visit.facility_code, visit_key=visit.key
            )
        )
    return sorted(kept, key=lambda a: (a.date, a.visit_key))[-KEPT_APPOINTMENTS:]


def _referrals(record: Record, visit: Visit) -> list[Referral]:
    kept = [r for r in record.referrals if r.visit_key != visit.key]
    if visit.referral_to:
        reason = visit.referral.direction if visit.referral else None
        kept.append(
            Referral(
                to_facility=visit.referral_to,
                from_facility=visit.facility_code,
                visit_key=visit.key,
                at=visit.admitted_at,
                reason=reason,
            )
        )
    return sorted(kept, key=lambda r: r.at)[-KEPT_REFERRALS:]


def _medications(record: Record, visit: Visit) -> list[Medication]:
    if not visit.drugs:
        return [m for m in record.medications if m.visit_key != visit.key]
    current = record.medications[0].prescribed_at if record.medications else None
    same = bool(record.medications) and record.medications[0].visit_key == visit.key
    if current is not None and current > visit.admitted_at and not same:
        return record.medications  # an older visit's prescription is not the current one
    return [
        Medication(
            name=d.name,
            strength=d.strength,
            dosage=d.dosage,
            visit_key=visit.key,
            facility_code=visit.facility_code,
            prescribed_at=visit.admitted_at,
        )
        for d in visit.drugs
    ]


def _labs(record: Record, visit: Visit) -> list[Lab]:
    kept = [lab for lab in record.labs if lab.visit_key != visit.key]
    kept += [
        Lab(
            name=x.name,
            value=x.value,
            unit=x.unit,
            conclusion=x.conclusion,
            at=x.at or visit.admitted_at,
            visit_key=visit.key,
        )
        for x in visit.labs
    ]
    return sorted(kept, key=lambda lab: lab.at, reverse=True)[:RECENT_LABS]
