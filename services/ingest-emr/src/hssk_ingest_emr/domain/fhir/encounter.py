"""Encounter -> the visit's frame: MA_LK, facility, admission/discharge times, visit and
discharge types, reason, length of stay and doctor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hssk_ingest_emr.domain.fhir.context import _code, _Ctx, _facility, _text
from hssk_ingest_emr.domain.fhir.systems import (
    CLASS_VISIT_TYPES,
    CS_DISCHARGE_TYPE,
    CS_VISIT_TYPE,
    SID_DOCTOR,
    SID_MA_CSKCB,
    SID_MA_LK,
)


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
