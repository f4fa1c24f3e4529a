"""What is wrong with an input, said so a person can fix it: where (field), why (rule), what
(message) and the value seen. Shared by the codec, the parsers and every HTTP error."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str
    message: str
    value: str | None = None


class DecodeError(ValueError):
    """The bytes are not a valid event for the topic; `problems` lists each reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
