"""FHIR R4 Bundle -> canonical Visit: fhir.resources validates, a pure mapping reads its models.

fhir.resources 8 ships R5 (default), R4B and STU3 models, no R4: R4B (4.3) is used; it is
wire-compatible with R4 (4.0.1) for every element read here. fhir.resources checks structure and
primitive formats, not value-set bindings, so `gender` is checked here. Identifier systems and
extensions are HL7 Vietnam's VN Core IG (draft, `VN`) where it names one, else ours (`HSSK`).

One Bundle (collection, transaction or document) is one visit:

| FHIR                                                            | Visit                         |
|-----------------------------------------------------------------|-------------------------------|
| Encounter.identifier[SID_MA_LK], else Bundle.identifier         | visit_id (MA_LK)              |
| Encounter.serviceProvider -> Organization.identifier[SID_MA_CSKCB] | facility_code              |
| Bundle.meta.versionId when an integer, else 1                   | revision                      |
| Patient.name: text, else family + given... (Vietnamese order)   | patient.name                  |
| Patient.identifier, system -> cccd/cmnd/bhyt/passport; others warn | patient.identifiers        |
| Patient.birthDate YYYY / YYYY-MM / YYYY-MM-DD; gender           | birth_date; sex               |
| Patient.telecom[phone]; address.text (else lines) + EXT_WARD/_PROVINCE | phone; address; codes  |
| Patient.extension EXT_ETHNICITY / EXT_OCCUPATION                | ethnicity / occupation        |
| Coverage.identifier[SID_BHYT] + period (or the identifier's period) | card; bhyt_valid_from/to  |
| Coverage.extension EXT_PRIMARY_CARE -> Organization             | initial_facility (MA_DKBD)    |
| Encounter.period.start / end, timezone required                 | admitted_at / discharged_at   |
| Encounter.type[CS_VISIT_TYPE], else class (AMB 01, IMP 03, ...) | visit_type, default "01"      |
| Encounter.reasonCode; length in days                            | reason; treatment_days        |
| Encounter.hospitalization.dischargeDisposition[CS_DISCHARGE_TYPE] | discharge_type (MA_LOAI_RV) |
| Encounter.participant -> Practitioner.identifier                | doctor_code                   |
| Condition ICD-10 (encounter-diagnosis or no category) ranked 1 in  | main_icd10 +               |
|   Encounter.diagnosis, else the first; its code text            |   diagnosis_discharge         |
| the other such Conditions, in rank then bundle order            | secondary_icd10               |
| Observation LOINC 29463-7 8302-2 8480-6 8462-4 8867-4 8310-5    | vitals (components too)       |
| Observation category laboratory                                 | labs                          |
| MedicationRequest (+ Medication code and ingredient strength)   | drugs                         |
| Procedure / Immunization                                        | procedures / immunizations    |
| Appointment.start, earliest not before the visit                | revisit_date                  |
| CarePlan.description, else its notes                            | advice                        |

Conditions and Observations with an HIV (B20-B24, Z21) or TB (A15-A19) ICD-10 code are counted
in `sensitive_tables` and never copied into the visit.

This package's one entry point is `parse_bundle`, here with the top-level flow; the steps live
in its modules validation, patient, encounter and clinical, the URLs and code maps in systems
(re-exported here).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from hssk_contracts import text
from hssk_contracts.codec import DecodeError, Problem, problems_from
from hssk_contracts.visit import Visit
from hssk_ingest_emr.domain.fhir.clinical import (
    ICD10_RE,
    _advice,
    _diagnoses,
    _drugs,
    _immunizations,
    _observations,
    _procedures,
    _revisit,
)
from hssk_ingest_emr.domain.fhir.context import FACILITY_RE, _Ctx
from hssk_ingest_emr.domain.fhir.encounter import _encounter
from hssk_ingest_emr.domain.fhir.patient import _patient
from hssk_ingest_emr.domain.fhir.systems import (
    CLASS_VISIT_TYPES,
    CS_DISCHARGE_TYPE,
    CS_DRUG,
    CS_ICD10,
    CS_LOINC,
    CS_VISIT_TYPE,
    EXT_ETHNICITY,
    EXT_OCCUPATION,
    EXT_PRIMARY_CARE,
    EXT_PROVINCE,
    EXT_WARD,
    HSSK,
    ID_SYSTEMS,
    INTEGER_VITALS,
    SEXES,
    SID_BHYT,
    SID_CCCD,
    SID_CMND,
    SID_DOCTOR,
    SID_MA_CSKCB,
    SID_MA_LK,
    SID_PASSPORT,
    VITALS,
    VN,
)
from hssk_ingest_emr.domain.fhir.validation import BUNDLE_TYPES, _validate
from hssk_ingest_emr.domain.parsed import Parsed
from hssk_ingest_emr.domain.patient_keys import keys_of

__all__ = [
    "BUNDLE_TYPES",
    "CLASS_VISIT_TYPES",
    "CS_DISCHARGE_TYPE",
    "CS_DRUG",
    "CS_ICD10",
    "CS_LOINC",
    "CS_VISIT_TYPE",
    "EXT_ETHNICITY",
    "EXT_OCCUPATION",
    "EXT_PRIMARY_CARE",
    "EXT_PROVINCE",
    "EXT_WARD",
    "FACILITY_RE",
    "HSSK",
    "ICD10_RE",
    "ID_SYSTEMS",
    "INTEGER_VITALS",
    "MAX_BYTES",
    "SEXES",
    "SID_BHYT",
    "SID_CCCD",
    "SID_CMND",
    "SID_DOCTOR",
    "SID_MA_CSKCB",
    "SID_MA_LK",
    "SID_PASSPORT",
    "VITALS",
    "VN",
    "Parsed",
    "parse_bundle",
]

MAX_BYTES = 5 * 1024 * 1024


def parse_bundle(raw: bytes, *, received_at: datetime) -> Parsed:
    """Validate `raw` as a FHIR R4 Bundle and map it to one canonical Visit, or say why not."""
    if len(raw) > MAX_BYTES:
        size = str(len(raw))
        return _rejected(Problem("$", "payload_too_large", f"{size} bytes > {MAX_BYTES}", size))
    try:
        doc = text.loads(raw)
    except DecodeError as exc:
        return Parsed(None, exc.problems, [], {}, None, None)
    kind = doc.get("resourceType") if isinstance(doc, dict) else None
    if kind != "Bundle":
        shown = kind if isinstance(kind, str) else None
        message = f"expected a FHIR Bundle, got resourceType {kind!r}"
        return _rejected(Problem("Bundle.resourceType", "resource_type", message, shown))
    ctx = _Ctx()
    bundle = _validate(doc, ctx)
    data = _map(bundle, ctx, received_at)
    visit = None if ctx.problems else _build(data, ctx)
    return Parsed(
        visit, ctx.problems, ctx.warnings, ctx.sensitive,
        data.get("facility_code"), data.get("visit_id"),
        keys_of((data.get("patient") or {}).get("identifiers") or []),
    )  # fmt: skip


def _rejected(problem: Problem) -> Parsed:
    return Parsed(None, [problem], [], {}, None, None)


# --- mapping -----------------------------------------------------------------------------------


def _map(bundle: Any | None, ctx: _Ctx, received_at: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {"sent_at": received_at, "standard": "fhir-r4"}
    data["revision"] = _revision(bundle, ctx)
    patient = _single(ctx, "Patient", lambda r: True)
    encounter = _single(ctx, "Encounter", lambda r: r.partOf is None)
    if encounter is not None:
        data.update(_encounter(bundle, ctx, *encounter))
    data.update(_diagnoses(ctx, encounter[1] if encounter else None))
    if patient is not None:
        data["patient"] = _patient(ctx, *patient)
    vitals, labs = _observations(ctx)
    data.update(vitals=vitals, labs=labs, drugs=_drugs(ctx), procedures=_procedures(ctx))
    data.update(immunizations=_immunizations(ctx), advice=_advice(ctx))
    data["revisit_date"] = _revisit(ctx, data.get("discharged_at") or data.get("admitted_at"))
    return data


def _single(ctx: _Ctx, kind: str, keep: Any) -> tuple[str, Any] | None:
    found = [(p, r) for p, r in ctx.of(kind) if keep(r)]
    if not found and kind not in ctx.invalid_types:  # an invalid one was reported already
        ctx.problem("Bundle.entry", "required", f"the Bundle has no {kind}: one visit needs one")
    for where, _ in found[1:]:
        ctx.problem(where, "cardinality", f"one Bundle is one visit: a second {kind}")
    return found[0] if found else None


def _build(data: dict[str, Any], ctx: _Ctx) -> Visit | None:
    data["patient"] = _without_none(data["patient"])
    try:
        return Visit.model_validate(_without_none(data))
    except ValidationError as exc:
        ctx.problems.extend(problems_from(exc))
        return None


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _revision(bundle: Any | None, ctx: _Ctx) -> int:
    version = bundle.meta.versionId if bundle is not None and bundle.meta else None
    if version is None:
        return 1
    if version.isdigit() and int(version) >= 1:
        return int(version)
    ctx.warn("Bundle.meta.versionId", "revision_not_integer", f"{version!r} is no revision; 1")
    return 1
