"""What one parse found (problems, warnings, the XML field behind each canonical path), and
pydantic validation errors turned into problems named by that XML field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hssk_contracts.codec import Problem, problems_from
from hssk_contracts.visit import Visit


@dataclass
class Findings:
    """What one parse found, and the XML field behind each canonical path."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def problem(self, where: str, rule: str, message: str, value: str | None = None) -> None:
        self.problems.append(Problem(where, rule, message, value))

    def warn(self, where: str, rule: str, message: str) -> None:
        self.warnings.append((where, rule, message))

    def source_of(self, path: str) -> str:
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            if (key := ".".join(parts[:n])) in self.sources:
                return self.sources[key]
        return path


def to_visit(payload: dict[str, Any], found: Findings) -> Visit | None:
    """Validate with pydantic; each error becomes a problem on its XML field, once per field."""
    try:
        return Visit.model_validate(payload)
    except ValidationError as exc:
        seen = {p.field for p in found.problems}
        for problem in problems_from(exc):
            where = found.source_of(problem.field)
            if where not in seen:
                seen.add(where)
                found.problems.append(
                    Problem(where, problem.rule, f"{where}: {problem.message}", problem.value)
                )
        return None
