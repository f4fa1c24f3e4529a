"""HIV/AIDS and TB data stay out of the general record (their own law, no general legal basis:
docs/domain.md, Hospital visit data). Whatever the format, diagnoses with those ICD-10 codes
are removed from the canonical visit and counted, and the XML6/XML15 tables are never read."""

from __future__ import annotations

import re

from hssk_contracts.visit import Visit

# B20-B24 HIV disease, Z21 asymptomatic HIV, A15-A19 tuberculosis.
SENSITIVE_ICD10 = re.compile(r"^(B2[0-4]|Z21|A1[5-9])")


def is_sensitive(code: str | None) -> bool:
    return bool(code) and bool(SENSITIVE_ICD10.match(code or ""))


def strip_sensitive(visit: Visit) -> tuple[Visit, int]:
    """The visit without HIV/TB diagnoses, and how many were removed."""
    secondary = [c for c in visit.secondary_icd10 if not is_sensitive(c)]
    removed = len(visit.secondary_icd10) - len(secondary)
    changes: dict = {"secondary_icd10": secondary}
    if is_sensitive(visit.main_icd10):
        removed += 1
        changes.update(main_icd10=None, diagnosis_discharge=None, diagnosis_admission=None)
    return (visit.model_copy(update=changes) if removed else visit), removed
