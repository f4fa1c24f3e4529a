"""Clinical resources -> visit content: Condition diagnoses, Observation vitals and labs (HIV/TB
counted, never copied), MedicationRequest drugs, Procedure, Immunization, Appointment, CarePlan."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from hssk_ingest_emr.domain.fhir.context import _code, _Ctx, _day, _text
from hssk_ingest_emr.domain.fhir.systems import CS_DRUG, CS_ICD10, CS_LOINC, INTEGER_VITALS, VITALS

ICD10_RE = re.compile(r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$")
_SKIPPED_STATUSES = frozenset({"entered-in-error", "cancelled", "noshow", "not-done"})


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
    if not re.fullmatch(r"[A-Z][0-9]{2}", head):
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
