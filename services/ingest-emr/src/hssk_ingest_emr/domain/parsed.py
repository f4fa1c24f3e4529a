"""What a hospital-format parser (QĐ 130 XML, FHIR R4) makes of one message."""

from __future__ import annotations

from dataclasses import dataclass

from hssk_contracts.codec import Problem
from hssk_contracts.visit import Visit


@dataclass(frozen=True)
class Parsed:
    visit: Visit | None  # None when rejected
    problems: list[Problem]  # rejection reasons, each naming the field in the source format
    warnings: list[tuple[str, str, str]]  # (field, rule, message): travel with the visit
    sensitive_tables: dict[str, int]  # HIV/TB content present: counted, never put in the visit
    facility_code: str | None  # the sender when known, so the dead letter can be routed
    visit_id: str | None  # MA_LK / Encounter identifier
    patient_keys: tuple[str, ...] = ()  # whose data this is, as far as it could be read
