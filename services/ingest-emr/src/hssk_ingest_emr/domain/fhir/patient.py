"""Patient and Coverage -> the visit's patient: name, birth date, sex, contact, address codes,
CCCD/CMND/BHYT/passport identifiers, BHYT validity and primary-care facility."""

from __future__ import annotations

from datetime import date
from typing import Any

from hssk_contracts import identifiers as ids
from hssk_ingest_emr.domain.fhir.context import _code, _Ctx, _day, _facility, _partial
from hssk_ingest_emr.domain.fhir.systems import (
    EXT_ETHNICITY,
    EXT_OCCUPATION,
    EXT_PRIMARY_CARE,
    EXT_PROVINCE,
    EXT_WARD,
    ID_SYSTEMS,
    SEXES,
    SID_BHYT,
)


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
