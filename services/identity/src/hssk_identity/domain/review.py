"""A review item: a resolution the matcher would not decide alone, with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["open", "linked", "kept_separate"]
Resolution = Literal["link", "new_person", "not_a_match"]


@dataclass(frozen=True)
class Candidate:
    person_id: str
    score: float
    weights: dict[str, float]


@dataclass(frozen=True)
class Review:
    review_id: str
    person_id: str  # the provisional person the record was registered as
    ward: str | None
    reason: str
    query: dict  # what came in: name, birth_date, sex, phone, commune_code, identifiers
    candidates: list[Candidate]
    created_at: datetime
    status: Status = "open"
    resolution: Resolution | None = None
    resolved_by: str | None = None
    linked_to: str | None = None
    notes: list[str] = field(default_factory=list)
    model: str = ""  # the match model whose weights the candidates carry
