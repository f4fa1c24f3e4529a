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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from hssk_contracts import identifiers as ids
from hssk_contracts.codec import Problem, problems_from
from hssk_contracts.visit import Visit
from hssk_ingest_emr.domain.parsed import Parsed

MAX_BYTES = 5 * 1024 * 1024
VN = "http://fhir.hl7.org.vn/core"
HSSK = "https://hssk.example/fhir"
SID_CCCD = f"{VN}/sid/cccd"
SID_CMND = f"{VN}/sid/cmnd"
SID_BHYT = f"{VN}/sid/bhyt"
SID_PASSPORT = f"{VN}/sid/passport"
SID_MA_LK = f"{VN}/sid/ma-lk"
SID_MA_CSKCB = f"{VN}/sid/ma-cskcb"
SID_DOCTOR = f"{HSSK}/sid/ma-bac-si"
CS_VISIT_TYPE = f"{VN}/CodeSystem/vn-encounter-type-cs"
CS_DISCHARGE_TYPE = f"{HSSK}/CodeSystem/ma-loai-rv"
CS_DRUG = f"{HSSK}/CodeSystem/ma-thuoc"
CS_ICD10 = "http://hl7.org/fhir/sid/icd-10"
CS_LOINC = "http://loinc.org"
EXT_WARD = f"{VN}/StructureDefinition/vn-ext-ward"
EXT_PROVINCE = f"{VN}/StructureDefinition/vn-ext-province"
EXT_ETHNICITY = f"{VN}/StructureDefinition/vn-ext-ethnicity"
EXT_OCCUPATION = f"{HSSK}/StructureDefinition/occupation"
EXT_PRIMARY_CARE = f"{VN}/StructureDefinition/vn-ext-primary-care-facility"

BUNDLE_TYPES = frozenset({"collection", "transaction", "document"})
ID_SYSTEMS = {SID_CCCD: "cccd", SID_CMND: "cmnd", SID_BHYT: "bhyt", SID_PASSPORT: "passport"}
SEXES = {"male": "male", "female": "female", "other": "unknown", "unknown": "unknown"}
CLASS_VISIT_TYPES = {"AMB": "01", "EMER": "01", "IMP": "03", "ACUTE": "03", "NONAC": "03",
                     "SS": "04", "HH": "12", "VR": "14"}  # fmt: skip
# LOINC code -> (Vitals field, accepted units -> factor to the field's unit)
VITALS: dict[str, tuple[str, dict[str, float]]] = {
    "29463-7": ("weight_kg", {"kg": 1, "g": 0.001}),
    "8302-2": ("height_cm", {"cm": 1, "m": 100}),
    "8480-6": ("systolic_mmhg", {"mm[Hg]": 1, "mmHg": 1}),
    "8462-4": ("diastolic_mmhg", {"mm[Hg]": 1, "mmHg": 1}),
    "8867-4": ("pulse_bpm", {"/min": 1, "{beats}/min": 1, "bpm": 1}),
    "8310-5": ("temperature_c", {"Cel": 1, "°C": 1}),
}
INTEGER_VITALS = frozenset({"systolic_mmhg", "diastolic_mmhg", "pulse_bpm"})
ICD10_RE = re.compile(r"^[A-Z]\d{2}(\.?[0-9A-Z]{1,4})?$")
FACILITY_RE = re.compile(r"^\d{5}$")
_NAIVE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SKIPPED_STATUSES = frozenset({"entered-in-error", "cancelled", "noshow", "not-done"})


@dataclass
class _Ctx:
    """Validated resources with their paths, a reference index, and what the mapping found."""

    resources: list[tuple[str, Any]] = field(default_factory=list)
    refs: dict[str, Any] = field(default_factory=dict)
    invalid_types: set[str] = field(default_factory=set)  # kinds with an entry that failed
    problems: list[Problem] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    sensitive: dict[str, int] = field(default_factory=dict)

    def add(self, index: int, full_url: Any, resource: Any) -> None:
        self.resources.append((f"Bundle.entry[{index}].resource", resource))
        kind = resource.get_resource_type()
        if isinstance(full_url, str):
            self.refs[full_url] = resource
        if resource.id:
            self.refs[f"{kind}/{resource.id}"] = resource

    def of(self, kind: str) -> list[tuple[str, Any]]:
        return [(p, r) for p, r in self.resources if r.get_resource_type() == kind]

    def resolve(self, ref: Any, kind: str) -> Any | None:
        if ref is None or not ref.reference:
            return None
        target = self.refs.get(ref.reference) or self.refs.get(
            "/".join(ref.reference.split("/")[-2:])
        )
        return target if target is not None and target.get_resource_type() == kind else None

    def problem(self, where: str, rule: str, message: str, value: str | None = None) -> None:
        self.problems.append(Problem(where, rule, message, value))

    def warn(self, where: str, rule: str, message: str) -> None:
        self.warnings.append((where, rule, message))


def parse_bundle(raw: bytes, *, received_at: datetime) -> Parsed:
    """Validate `raw` as a FHIR R4 Bundle and map it to one canonical Visit, or say why not."""
    if len(raw) > MAX_BYTES:
        size = str(len(raw))
        return _rejected(Problem("$", "payload_too_large", f"{size} bytes > {MAX_BYTES}", size))
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _rejected(Problem("$", "json_invalid", f"not valid UTF-8 JSON: {exc}"))
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
    )  # fmt: skip


def _rejected(problem: Problem) -> Parsed:
    return Parsed(None, [problem], [], {}, None, None)


def _reject_constant(name: str) -> None:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


# --- validation with fhir.resources ------------------------------------------------------------


def _validate(doc: dict[str, Any], ctx: _Ctx) -> Any | None:
    """Validate the Bundle shell and each entry's resource apart: paths and failures stay local."""
    entries = doc.get("entry")
    if not isinstance(entries, list):
        return _model(Bundle, doc, "Bundle", ctx)
    shell = [{k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
             for e in entries]  # fmt: skip
    bundle = _model(Bundle, {**doc, "entry": shell}, "Bundle", ctx)
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        where = f"Bundle.entry[{i}].resource"
        if not isinstance(resource, dict):
            ctx.problem(where, "required", "each entry must carry a resource object")
            continue
        kind = resource.get("resourceType")
        klass = _resource_class(kind)
        if klass is None or not isinstance(kind, str):
            shown = kind if isinstance(kind, str) else None
            message = f"{kind!r} is not a FHIR R4 resource type"
            ctx.problem(f"{where}.resourceType", "resource_type", message, shown)
            continue
        model = _model(klass, resource, where, ctx)
        if model is None:
            ctx.invalid_types.add(kind)
        else:
            ctx.add(i, entry.get("fullUrl"), model)
    if bundle is not None and bundle.type not in BUNDLE_TYPES:
        message = f"Bundle.type must be one of {sorted(BUNDLE_TYPES)}"
        ctx.problem("Bundle.type", "bundle_type", message, bundle.type)
    return bundle


def _resource_class(kind: Any) -> type[Any] | None:
    if not isinstance(kind, str) or kind == "Bundle":
        return None
    try:
        klass = get_fhir_model_class(kind)
    except ValueError:
        return None
    return klass if issubclass(klass, Resource) else None


def _model(klass: type[Any], data: dict[str, Any], root: str, ctx: _Ctx) -> Any | None:
    try:
        return klass.model_validate(data)
    except ValidationError as exc:
        ctx.problems.extend(_library_problem(root, err) for err in exc.errors(include_url=False))
    except (ValueError, KeyError, TypeError) as exc:  # e.g. an unknown type in `contained`
        ctx.problem(root, "fhir_invalid", f"not valid FHIR R4: {exc!r}")
    return None


def _library_problem(root: str, err: Any) -> Problem:
    where = root + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
    value = err.get("input")
    shown = None if value is None or isinstance(value, dict | list) else str(value)[:200]
    if isinstance(value, str) and _NAIVE_DATETIME.fullmatch(value):
        message = f"{value!r} has a time but no timezone offset, e.g. 2026-11-18T14:00:00+07:00"
        return Problem(where, "timezone_required", message, shown)
    rule = "required" if err["type"].endswith("missing") else "fhir_invalid"
    return Problem(where, rule, f"not valid FHIR R4: {err['msg']}", shown)


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


# --- Patient and Coverage ----------------------------------------------------------------------


def _patient(ctx: _Ctx, where: str, p: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": _name(p.name or []), "birth_date": _partial(p.birthDate)}
    if not out["name"]:
        ctx.problem(f"{where}.name", "required", "the patient has no name")
    if p.gender is not None and p.gender not in SEXES:
        message = f"gender must be one of {sorted(SEXES)}"
        ctx.problem(f"{where}.gender", "fhir_invalid", message, p.gender)
    out["sex"] = SEXES.get(p.gender or "unknown")
    out["phone"] = next((t.value.strip() for t in p.telecom or []
                         if t.system == "phone" and t.value), None)  # fmt: skip
    out.update(_address(p.address or []))
    out["ethnicity"] = _ext_code(p.extension, EXT_ETHNICITY)
    out["occupation"] = _ext_code(p.extension, EXT_OCCUPATION)
    identifiers, card_period = _identifiers(ctx, where, p.identifier or [])
    out.update(card_period)
    out.update(_coverage(ctx, identifiers))
    if not identifiers:
        message = "no CCCD, CMND, BHYT or passport identifier (see the system constants)"
        ctx.problem(f"{where}.identifier", "required", message)
    out["identifiers"] = identifiers
    return out


def _name(names: list[Any]) -> str | None:
    chosen = next((n for n in names if n.use == "official"), names[0] if names else None)
    if chosen is None:
        return None
    if chosen.text and chosen.text.strip():
        return " ".join(chosen.text.split())
    parts = [chosen.family or "", *(chosen.given or [])]  # Vietnamese order: family first
    return " ".join(" ".join(parts).split()) or None


def _identifiers(
    ctx: _Ctx, where: str, identifiers: list[Any]
) -> tuple[list[dict[str, str]], dict[str, date | None]]:
    found: list[dict[str, str]] = []
    period: dict[str, date | None] = {}
    for i, ident in enumerate(identifiers):
        kind = ID_SYSTEMS.get(ident.system or "")
        if kind is not None and not ident.value:
            continue
        if kind is None:
            message = f"system {ident.system!r} is not CCCD, CMND, BHYT or passport; ignored"
            ctx.warn(f"{where}.identifier[{i}].system", "identifier_system_unknown", message)
            continue
        _add_identifier(found, kind, ident.value)
        if kind == "bhyt" and ident.period:
            period = _validity(ident.period)
    return found, period


def _add_identifier(found: list[dict[str, str]], kind: str, value: str) -> None:
    entry = {"type": kind, "value": ids.normalise(kind, value)}
    if entry not in found:
        found.append(entry)


def _coverage(ctx: _Ctx, identifiers: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for where, c in ctx.of("Coverage"):
        card = next((i.value for i in c.identifier or [] if i.system == SID_BHYT and i.value), None)
        if card is None:
            continue
        _add_identifier(identifiers, "bhyt", card)
        if c.period:
            out.update(_validity(c.period))
        ext = [j for j, e in enumerate(c.extension or []) if e.url == EXT_PRIMARY_CARE]
        if ext:
            ref = c.extension[ext[0]].valueReference
            out["initial_facility"] = _facility(ctx, f"{where}.extension[{ext[0]}]", ref)
    return out


def _validity(period: Any) -> dict[str, date | None]:
    return {"bhyt_valid_from": _day(period.start), "bhyt_valid_to": _day(period.end)}


def _address(addresses: list[Any]) -> dict[str, str | None]:
    a = next((a for a in addresses if a.use == "home"), addresses[0] if addresses else None)
    if a is None:
        return {}
    text = a.text or ", ".join(x for x in [*(a.line or []), a.district, a.city] if x) or None
    return {
        "address": text,
        "commune_code": _ext_code(a.extension, EXT_WARD),
        "province_code": _ext_code(a.extension, EXT_PROVINCE),
    }


def _ext_code(extensions: list[Any] | None, url: str) -> str | None:
    ext = next((e for e in extensions or [] if e.url == url), None)
    if ext is None:
        return None
    if ext.valueCoding is not None:
        return ext.valueCoding.code
    if ext.valueCodeableConcept is not None:
        return _code(ext.valueCodeableConcept)
    return ext.valueCode or ext.valueString


# --- Encounter ---------------------------------------------------------------------------------


def _encounter(bundle: Any | None, ctx: _Ctx, where: str, e: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"visit_id": _visit_id(bundle, e), "facility_code": None}
    if out["visit_id"] is None:
        message = f"no MA_LK: an Encounter (or Bundle) identifier with system {SID_MA_LK}"
        ctx.problem(f"{where}.identifier", "required", message)
    out["facility_code"] = _facility(ctx, f"{where}.serviceProvider", e.serviceProvider)
    if out["facility_code"] is None:
        message = f"serviceProvider must name an Organization with a {SID_MA_CSKCB} identifier"
        ctx.problem(f"{where}.serviceProvider", "required", message)
    period = e.period
    out["admitted_at"] = _instant(ctx, f"{where}.period.start", period and period.start, True)
    out["discharged_at"] = _instant(ctx, f"{where}.period.end", period and period.end, False)
    out["visit_type"] = _code(*e.type or [], system=CS_VISIT_TYPE) or CLASS_VISIT_TYPES.get(
        e.class_fhir.code if e.class_fhir else "", "01"
    )
    out["reason"] = "; ".join(t for t in map(_text, e.reasonCode or []) if t) or None
    if e.length is not None and e.length.code == "d" and e.length.value is not None:
        out["treatment_days"] = int(e.length.value)
    stay = e.hospitalization
    out["discharge_type"] = (
        _code(stay.dischargeDisposition, system=CS_DISCHARGE_TYPE) if stay else None
    )
    out["doctor_code"] = _doctor(ctx, e)
    return out


def _visit_id(bundle: Any | None, e: Any) -> str | None:
    candidates = [
        *(e.identifier or []),
        *([bundle.identifier] if bundle and bundle.identifier else []),
    ]
    return next((i.value.strip() for i in candidates if i.system == SID_MA_LK and i.value), None)


def _facility(ctx: _Ctx, where: str, ref: Any) -> str | None:
    if ref is None:
        return None
    idents = [ref.identifier] if ref.identifier else []
    org = ctx.resolve(ref, "Organization")
    idents += org.identifier or [] if org is not None else []
    code = next((i.value.strip() for i in idents if i.system == SID_MA_CSKCB and i.value), None)
    if code is not None and not FACILITY_RE.fullmatch(code):
        ctx.problem(where, "facility_format", "MA_CSKCB is 5 digits", code)
    return code


def _instant(ctx: _Ctx, where: str, value: Any, required: bool) -> datetime | None:
    if value is None:
        if required:
            ctx.problem(where, "required", "the visit needs a start time with a timezone")
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    message = f"{value} needs a date, a time and a timezone offset"
    ctx.problem(where, "timezone_required", message, str(value))
    return None


def _doctor(ctx: _Ctx, e: Any) -> str | None:
    idents: list[Any] = []
    for ref in (p.individual for p in e.participant or [] if p.individual):
        practitioner = ctx.resolve(ref, "Practitioner")
        idents += [ref.identifier] if ref.identifier else []
        idents += practitioner.identifier or [] if practitioner is not None else []
    practitioners = ctx.of("Practitioner")
    if not idents and len(practitioners) == 1:  # nobody named: the Bundle's only practitioner
        idents = practitioners[0][1].identifier or []
    ours = [i for i in idents if i.system == SID_DOCTOR and i.value]
    return next((i.value.strip() for i in ours or idents if i.value), None)


# --- Conditions and Observations ---------------------------------------------------------------


def _diagnoses(ctx: _Ctx, encounter: Any | None) -> dict[str, Any]:
    ranks = {id(ctx.resolve(d.condition, "Condition")): d.rank
             for d in (encounter.diagnosis if encounter else None) or [] if d.rank}  # fmt: skip
    found = []
    for order, (where, c) in enumerate(ctx.of("Condition")):
        if _is_sensitive(ctx, [c.code]) or not _is_visit_diagnosis(c):
            continue
        code = _icd10(ctx, f"{where}.code", c.code)
        if code is not None:
            found.append((ranks.get(id(c), 1_000_000), order, code, _text(c.code)))
    if not found:
        return {}
    found.sort(key=lambda f: (f[0], f[1]))
    main = found[0]
    secondary = list(dict.fromkeys(f[2] for f in found[1:] if f[2] != main[2]))
    if len(secondary) > 12:
        ctx.warn("Condition", "secondary_icd10_truncated", f"{len(secondary)} codes; 12 kept")
    return {
        "main_icd10": main[2],
        "diagnosis_discharge": main[3],
        "secondary_icd10": secondary[:12],
    }


def _is_visit_diagnosis(c: Any) -> bool:
    status = _code(c.verificationStatus) if c.verificationStatus else None
    codes = {coding.code for cat in c.category or [] for coding in cat.coding or []}
    return status not in {"refuted", "entered-in-error"} and (
        not codes or "encounter-diagnosis" in codes
    )


def _icd10(ctx: _Ctx, where: str, concept: Any) -> str | None:
    for j, coding in enumerate(concept.coding or [] if concept else []):
        if coding.system == CS_ICD10 and coding.code:
            code = coding.code.strip().upper()
            if ICD10_RE.fullmatch(code):
                return code
            ctx.problem(f"{where}.coding[{j}].code", "icd10_format", "not an ICD-10 code", code)
            return None
    ctx.warn(where, "icd10_missing", f"no {CS_ICD10} coding: not used as a visit diagnosis")
    return None


def _is_sensitive(ctx: _Ctx, concepts: list[Any]) -> bool:
    """HIV/TB codes go to their own registers (design §5): count them, copy nothing."""
    tables = {
        table
        for concept in concepts if concept
        for coding in concept.coding or []
        if coding.system == CS_ICD10 and coding.code
        for table in [_sensitive_table(coding.code)] if table
    }  # fmt: skip
    for table in sorted(tables):
        ctx.sensitive[table] = ctx.sensitive.get(table, 0) + 1
    return bool(tables)


def _sensitive_table(code: str) -> str | None:
    head = code.strip().upper()[:3]
    if not re.fullmatch(r"[A-Z]\d{2}", head):
        return None
    if "B20" <= head <= "B24" or head == "Z21":
        return "HIV"
    return "TB" if "A15" <= head <= "A19" else None


def _observations(ctx: _Ctx) -> tuple[dict[str, float | int], list[dict[str, Any]]]:
    vitals: dict[str, float | int] = {}
    labs = []
    for where, o in ctx.of("Observation"):
        if o.status == "entered-in-error" or _is_sensitive(ctx, [o.code, o.valueCodeableConcept]):
            continue
        pairs = [(o.code, o.valueQuantity), *((c.code, c.valueQuantity) for c in o.component or [])]
        found = {loinc: qty for code, qty in pairs if (loinc := _loinc_vital(code))}
        for key, qty in found.items():
            value = _vital_value(ctx, where, key, qty)
            if value is not None:
                vitals[VITALS[key][0]] = value
        if not found and _has_category(o.category, "laboratory"):
            lab = _lab(ctx, where, o)
            if lab is not None:
                labs.append(lab)
    return vitals, labs


def _loinc_vital(concept: Any) -> str | None:
    codings = concept.coding or [] if concept else []
    return next((c.code for c in codings if c.system == CS_LOINC and c.code in VITALS), None)


def _vital_value(ctx: _Ctx, where: str, loinc: str, qty: Any) -> float | int | None:
    name, units = VITALS[loinc]
    unit = (qty.code or qty.unit) if qty is not None else None
    if qty is None or qty.value is None or unit not in units:
        message = f"LOINC {loinc} needs a valueQuantity in one of {sorted(units)}; got {unit!r}"
        ctx.warn(where, "vital_unit", message)
        return None
    value = float(qty.value) * units[unit]
    return round(value) if name in INTEGER_VITALS else value


def _has_category(categories: list[Any] | None, code: str) -> bool:
    return any(c.code == code for cat in categories or [] for c in cat.coding or [])


def _lab(ctx: _Ctx, where: str, o: Any) -> dict[str, Any] | None:
    name = _text(o.code) or _code(o.code)
    if name is None:
        ctx.warn(f"{where}.code", "lab_name_missing", "a laboratory result without a name")
        return None
    q = o.valueQuantity
    notes = [t for t in map(_text, o.interpretation or []) if t] or [
        n.text for n in o.note or [] if n.text
    ]
    at = (
        o.effectiveDateTime or o.effectiveInstant or (o.effectivePeriod and o.effectivePeriod.start)
    )
    return {
        "code": _code(o.code), "name": name, "value": _observation_value(o),
        "unit": (q.unit or q.code) if q else None, "conclusion": "; ".join(notes) or None,
        "at": at if isinstance(at, datetime) else None,
    }  # fmt: skip


def _observation_value(o: Any) -> str | None:
    if o.valueQuantity is not None and o.valueQuantity.value is not None:
        return str(o.valueQuantity.value)
    if o.valueCodeableConcept is not None:
        return _text(o.valueCodeableConcept)
    for value in (o.valueString, o.valueInteger, o.valueBoolean):
        if value is not None:
            return str(value).lower() if isinstance(value, bool) else str(value)
    return None


# --- orders, procedures, immunizations, follow-up ----------------------------------------------


def _drugs(ctx: _Ctx) -> list[dict[str, Any]]:
    out = []
    for where, m in ctx.of("MedicationRequest"):
        if m.status in _SKIPPED_STATUSES:
            continue
        concept, strength = m.medicationCodeableConcept, None
        medication = ctx.resolve(m.medicationReference, "Medication")
        if medication is not None:
            concept, strength = medication.code, _strength(medication)
        name = _text(concept)
        if name is None:
            ctx.warn(where, "drug_name_missing", "a medication order without a drug name")
            continue
        qty = m.dispenseRequest.quantity if m.dispenseRequest else None
        dosage = "; ".join(d.text for d in m.dosageInstruction or [] if d.text) or None
        out.append({
            "code": _code(concept, system=CS_DRUG) or _code(concept), "name": name,
            "strength": strength, "dosage": dosage,
            "quantity": float(qty.value) if qty is not None and qty.value is not None else None,
        })  # fmt: skip
    return out


def _strength(medication: Any) -> str | None:
    for ingredient in medication.ingredient or []:
        num = ingredient.strength.numerator if ingredient.strength else None
        if num is not None and num.value is not None:
            return f"{num.value}{num.unit or num.code or ''}"  # as QĐ 130 HAM_LUONG: "5mg"
    return None


def _procedures(ctx: _Ctx) -> list[dict[str, str | None]]:
    found = [(_code(p.code), _text(p.code)) for _, p in ctx.of("Procedure")
             if p.status not in _SKIPPED_STATUSES and p.code]  # fmt: skip
    return [{"code": code, "name": name} for code, name in found if code or name]


def _immunizations(ctx: _Ctx) -> list[dict[str, Any]]:
    out = []
    for _, i in ctx.of("Immunization"):
        name = _text(i.vaccineCode) or _code(i.vaccineCode)
        if i.status in _SKIPPED_STATUSES or name is None:
            continue
        given = _day(i.occurrenceDateTime)
        out.append({"code": _code(i.vaccineCode), "name": name, "given_on": given})
    return out


def _revisit(ctx: _Ctx, visit_time: datetime | None) -> date | None:
    starts = [a.start for _, a in ctx.of("Appointment")
              if a.status not in _SKIPPED_STATUSES and isinstance(a.start, datetime)]  # fmt: skip
    later = [s for s in starts if visit_time is None or s >= visit_time]
    return min(later).date() if later else None


def _advice(ctx: _Ctx) -> str | None:
    texts = []
    for _, plan in ctx.of("CarePlan"):
        texts += [plan.description] if plan.description else [n.text for n in plan.note or []]
    return "; ".join(t.strip() for t in texts if t and t.strip()) or None


# --- data types --------------------------------------------------------------------------------


def _text(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text and concept.text.strip():
        return concept.text.strip()
    return next((c.display.strip() for c in concept.coding or [] if c.display), None)


def _code(*concepts: Any, system: str | None = None) -> str | None:
    codings = [c for concept in concepts if concept for c in concept.coding or []]
    return next(
        (c.code for c in codings if c.code and (system is None or c.system == system)), None
    )


def _partial(value: Any) -> str | None:
    """FHIR date: a `date` when complete, else the "YYYY" / "YYYY-MM" string as sent."""
    return value.isoformat() if isinstance(value, date) else value


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None
