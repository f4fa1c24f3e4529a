"""Validation of a canonical visit beyond its schema: identifiers, dates, plausibility.

Problems reject the visit; warnings travel with it. Each names the field, the value and the rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hssk_contracts import identifiers as ids
from hssk_contracts.codec import Problem
from hssk_contracts.events import VisitWarning
from hssk_contracts.visit import Visit

CLOCK_SKEW = timedelta(minutes=10)


def validate(visit: Visit, now: datetime) -> tuple[list[Problem], list[VisitWarning]]:
    problems: list[Problem] = []
    warnings: list[VisitWarning] = []
    patient = visit.patient
    for i, ident in enumerate(patient.identifiers):
        finding = ids.format_problem(ident.type, ident.value)
        if finding:
            problems.append(
                Problem(
                    f"patient.identifiers.{i}.value", finding.rule, finding.message, ident.value
                )
            )
    if not ids.match_keys([(i.type, i.value) for i in patient.identifiers]) and not problems:
        problems.append(
            Problem(
                "patient.identifiers",
                "identifier_required",
                "at least one personal ID, BHYT card, old CMND or passport is "
                "required to link the visit to a citizen",
            )
        )
    birth_year = int(patient.birth_date[:4]) if patient.birth_date else None
    if birth_year is not None and not 1880 <= birth_year <= now.year:
        problems.append(
            Problem(
                "patient.birth_date",
                "birth_date_range",
                f"birth year {birth_year} is not plausible",
                patient.birth_date,
            )
        )
    for ident in patient.identifiers:
        if ident.type == "cccd":
            for f in ids.cccd_consistency(ident.value, birth_year, patient.sex):
                warnings.append(
                    VisitWarning(field="patient.identifiers", rule=f.rule, message=f.message)
                )
    if visit.admitted_at > now + CLOCK_SKEW:
        problems.append(
            Problem(
                "admitted_at",
                "date_in_future",
                f"admission {visit.admitted_at.isoformat()} is in the future",
                visit.admitted_at.isoformat(),
            )
        )
    if visit.discharged_at is not None:
        if visit.discharged_at < visit.admitted_at:
            problems.append(
                Problem(
                    "discharged_at",
                    "discharge_before_admission",
                    f"discharge {visit.discharged_at.isoformat()} is before "
                    f"admission {visit.admitted_at.isoformat()}",
                    visit.discharged_at.isoformat(),
                )
            )
        if visit.discharged_at > now + CLOCK_SKEW:
            problems.append(
                Problem(
                    "discharged_at",
                    "date_in_future",
                    f"discharge {visit.discharged_at.isoformat()} is in the future",
                    visit.discharged_at.isoformat(),
                )
            )
    return problems, warnings
