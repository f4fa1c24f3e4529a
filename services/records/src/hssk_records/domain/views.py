"""A record as people read it: alerts first (allergies, chronic conditions, current
medications, each "none known" or "not recorded" said explicitly), then vitals with their dates
and where they came from, then encounters, labs, appointments, the rest of the profile and
how complete it is. Every shown value carries its provenance badge."""

from __future__ import annotations

from datetime import date
from typing import Any

from hssk_records.domain.facts import BADGES_VI, Fact, Slot
from hssk_records.domain.record import Record
from hssk_records.domain.template import LABELS

PROFILE = (
    "surgeries",
    "disabilities",
    "family_history",
    "vaccinations",
    "risk_factors",
    "reproductive",
    "representative",
)
IDENTITY = (
    "name",
    "birth_date",
    "sex",
    "phone",
    "address",
    "commune_code",
    "ethnicity",
    "nationality",
    "occupation",
    "bhyt",
    "initial_facility",
)
VITALS = ("height_cm", "weight_kg", "blood_pressure", "pulse_bpm", "temperature_c")


def _fact(fact: Fact) -> dict[str, Any]:
    s = fact.source
    source = {"kind": s.kind, "badge": BADGES_VI[s.kind], "by": s.by, "at": s.at.isoformat()}
    if s.visit_key:
        source["visit_key"] = s.visit_key
    return {"value": fact.value, "source": source}


def shown(slot: Slot, measured: bool = False) -> dict[str, Any]:
    """The value to rely on (a measurement: the latest), with the other sources' different
    values beside it; or that nothing is recorded."""
    fact = slot.latest() if measured else slot.trusted()
    if fact is None:
        return {"status": "not_recorded"}
    out = {"status": "recorded", **_fact(fact)}
    if also := slot.beside(fact):
        out["also"] = [_fact(f) for f in also]
    return out


def _listed(slot: Slot) -> dict[str, Any]:
    out = shown(slot)
    value = out.get("value")
    if isinstance(value, dict) and value.get("none_known") and not value.get("items"):
        out["status"] = "none_known"
    return out


def alerts(record: Record) -> dict[str, Any]:
    chronic = _listed(record.slot("health", "chronic_conditions"))
    reported = record.reported_items("chronic_conditions")
    if reported:  # a facility's diagnosis outweighs a "none known": both are shown
        chronic["reported_by_facilities"] = reported
        chronic["status"] = "recorded"
    medications = [m.model_dump(mode="json") for m in record.medications]
    return {
        "drug_allergies": _listed(record.slot("health", "drug_allergies")),
        "other_allergies": _listed(record.slot("health", "other_allergies")),
        "chronic_conditions": chronic,
        "current_medications": {
            "status": "recorded" if medications else "not_recorded",
            "items": medications,
        },
        "blood_group": shown(record.slot("health", "blood_group")),
    }


def record_view(record: Record, *, today: date) -> dict[str, Any]:
    c = record.completeness
    return {
        "person_id": record.person_id,
        "version": record.version,
        "alerts": alerts(record),
        "vitals": {v: shown(record.slot("vitals", v), measured=True) for v in VITALS},
        "encounters": [e.model_dump(mode="json") for e in record.encounters],
        "encounter_count": record.encounter_count,
        "labs": [x.model_dump(mode="json") for x in record.labs],
        "appointments": [a.model_dump(mode="json") for a in record.upcoming(today)],
        "referrals": [r.model_dump(mode="json") for r in record.referrals],
        "identity": {k: shown(record.slot("admin", k)) for k in IDENTITY},
        "identifiers": [i.model_dump() for i in record.identifiers],
        "profile": {k: shown(record.slot("health", k)) for k in PROFILE},
        "vaccinations_reported": record.reported_items("vaccinations"),
        "completeness": None
        if c is None
        else {
            "filled": c.filled,
            "total": c.total,
            "score": c.score,
            "missing": c.missing,
            "missing_labels": [{"field": f, "label": LABELS.get(f, f)} for f in c.missing],
            "best_next": c.best_next,
            "best_next_label": LABELS.get(c.best_next or ""),
        },
        "merged_in": record.merged_in,
    }


def summary_view(record: Record, *, today: date) -> dict[str, Any]:
    """What a `summary` share shows: the alerts, vitals and upcoming appointments only."""
    full = record_view(record, today=today)
    return {k: full[k] for k in ("person_id", "version", "alerts", "vitals", "appointments")}
