"""Shared pieces of the FHIR mapping: the parse context (resources, references, findings)
and readers for FHIR data types (CodeableConcept, date, Organization reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hssk_contracts.codec import Problem
from hssk_ingest_emr.domain.fhir.systems import SID_MA_CSKCB

FACILITY_RE = re.compile(r"^[0-9]{5}$")


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
