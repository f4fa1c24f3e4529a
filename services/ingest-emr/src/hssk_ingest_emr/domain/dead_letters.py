"""A dead letter as operators see it: what was refused, why, from where, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["open", "replayed", "still_rejected"]


@dataclass(frozen=True)
class DeadLetter:
    dlq_id: str  # the VisitRejected event id
    source_topic: str
    source_key: str | None
    partition: int | None
    offset: int | None
    facility_code: str | None
    reasons: list[dict]  # {field, rule, message, value}
    original_b64: str
    rejected_at: datetime
    attempt: int = 1
    status: Status = "open"
    part: int | None = None  # which visit of a file of several (its own bytes are kept)
    history: list[dict] = field(default_factory=list)  # each replay: at, by, outcome, reasons

    @property
    def rules(self) -> set[str]:
        return {r["rule"] for r in self.reasons}


def matches(
    letter: DeadLetter,
    *,
    reason: str | None,
    since: datetime | None,
    until: datetime | None,
    status: str | None,
) -> bool:
    return (
        (reason is None or reason in letter.rules)
        and (since is None or letter.rejected_at >= since)
        and (until is None or letter.rejected_at <= until)
        and (status is None or letter.status == status)
    )
