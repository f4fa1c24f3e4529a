"""hssk_cli.formats writes what ingest-emr's parsers read back: a synthetic visit sent as QĐ 130
XML or as a FHIR Bundle becomes the same canonical visit again, on the fields both formats carry."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hssk_cli import formats, synth
from hssk_contracts.visit import Visit
from hssk_ingest_emr.domain import fhir, qd130

NOW = datetime(2026, 11, 20, 9, 30, 12, 345678, tzinfo=UTC)

# Left out of the comparison, and why:
# - sent_at: both parsers set it to the time of receipt (the Kafka record's timestamp);
# - revision: QĐ 130 has none (always 1); FHIR carries it (Bundle.meta.versionId, checked below);
# - standard: says which format the visit came in ("qd130"/"qd3176", "fhir-r4");
# - outcome, patient_category, diagnosis_admission, inpatient_at, department_codes,
#   traditional_codes, referral_to, patient.nationality, .blood_group, labs[].service_code:
#   QĐ 130 only (ingest-emr's FHIR parser maps none of them; checked in the QĐ 130 test);
# - vitals other than weight_kg: FHIR only (QĐ 130 XML1 has CAN_NANG alone; checked below);
# - summary, referral, immunizations, patient.guardian_name: formats.py writes them in neither.
# Instants are compared to the minute: QĐ 130 writes yyyymmddHHMM in Vietnam time.
EXCLUDED = {"sent_at", "revision", "standard", "outcome", "patient_category",
            "diagnosis_admission", "inpatient_at", "department_codes", "traditional_codes",
            "summary", "referral", "referral_to", "immunizations"}  # fmt: skip
EXCLUDED_PATIENT = {"nationality", "blood_group", "guardian_name"}
INSTANTS = ("admitted_at", "discharged_at")


def _minute(text: str | None) -> str | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text).astimezone(UTC)
    return value.replace(second=0, microsecond=0).isoformat()


def normalised(v: Visit) -> dict[str, Any]:
    d = v.model_dump(mode="json", exclude_none=True)
    out = {k: x for k, x in d.items() if k not in EXCLUDED}
    out["patient"] = {k: x for k, x in d["patient"].items() if k not in EXCLUDED_PATIENT}
    out["patient"]["identifiers"] = sorted(
        (i["type"], i["value"]) for i in d["patient"]["identifiers"]
    )
    out["vitals"] = {k: x for k, x in d["vitals"].items() if k == "weight_kg"}
    for key in INSTANTS:
        if key in out:
            out[key] = _minute(out[key])
    out["labs"] = [
        {**{k: x for k, x in lab.items() if k != "service_code"}, "at": _minute(lab.get("at"))}
        for lab in d["labs"]
    ]
    return out


def synth_visits(n: int, seed: int) -> list[Visit]:
    people = synth.population(50, seed=seed)
    rng = random.Random(seed)
    return [synth.visit(people[i % 50], rng, now=NOW - timedelta(hours=i)) for i in range(n)]


def rich_visit() -> Visit:
    """A synthetic visit with what synth leaves empty: partial birth date, secondary codes,
    procedures, lab times and conclusions, a text lab value, inpatient fields, a revision."""
    [base] = synth_visits(1, seed=99)
    d = base.model_dump()
    d["patient"].update(birth_date=base.patient.birth_date[:7], ethnicity="01", occupation="00002",
                        nationality="000", initial_facility="79001",
                        bhyt_valid_from="2026-01-01", bhyt_valid_to="2026-12-31")  # fmt: skip
    d.update(
        revision=3,
        patient_category="1.1",
        diagnosis_admission="Sốt",
        secondary_icd10=[c for c in ("E11", "I10") if c != base.main_icd10],
        treatment_days=2,
        visit_type="03",
        inpatient_at=d["admitted_at"],
        outcome="1",
        department_codes=["K01", "K02"],
        procedures=[{"code": "02.03", "name": "Nội soi"}],
        referral_to="79024",
    )
    d["vitals"].update(height_cm=162.0, temperature_c=37.2)
    d["labs"].append({"code": "CRP", "name": "CRP", "value": "dương tính",
                      "conclusion": "Tăng", "at": NOW - timedelta(hours=3)})  # fmt: skip
    return Visit.model_validate(d)


CASES = [*synth_visits(12, seed=7), *synth_visits(6, seed=2026), rich_visit()]


@pytest.mark.parametrize("visit", CASES, ids=lambda v: v.visit_id)
def test_qd130_round_trip(visit: Visit) -> None:
    parsed = qd130.parse_bundle(formats.to_qd130(visit), received_at=NOW)
    assert parsed.problems == []
    assert parsed.warnings == []
    assert parsed.visit is not None
    assert normalised(parsed.visit) == normalised(visit)
    # what QĐ 130 carries beyond FHIR
    for name in (
        "outcome",
        "patient_category",
        "diagnosis_admission",
        "department_codes",
        "referral_to",
    ):
        assert getattr(parsed.visit, name) == getattr(visit, name)
    assert [x.service_code for x in parsed.visit.labs] == [x.service_code for x in visit.labs]
    assert (parsed.visit.facility_code, parsed.visit.visit_id) == (parsed.facility_code,
                                                                   parsed.visit_id)  # fmt: skip


@pytest.mark.parametrize("visit", CASES, ids=lambda v: v.visit_id)
def test_fhir_round_trip(visit: Visit) -> None:
    parsed = fhir.parse_bundle(formats.to_fhir(visit), received_at=NOW)
    assert parsed.problems == []
    assert parsed.warnings == []
    assert parsed.visit is not None
    assert normalised(parsed.visit) == normalised(visit)
    # what FHIR carries beyond QĐ 130: the revision, exact instants, every vital
    assert parsed.visit.revision == visit.revision
    assert (parsed.visit.admitted_at, parsed.visit.discharged_at) == (
        visit.admitted_at, visit.discharged_at)  # fmt: skip
    assert parsed.visit.vitals == visit.vitals


def test_the_same_visit_gives_the_same_bytes() -> None:
    """The simulator's duplicates are the very same bytes; a correction must differ."""
    [v] = synth_visits(1, seed=5)
    changed = v.model_copy(update={"main_icd10": "J20.9", "diagnosis_discharge": "Viêm"})
    for encode in (formats.to_qd130, formats.to_fhir):
        assert encode(v) == encode(v.model_copy())
        assert encode(changed) != encode(v)
