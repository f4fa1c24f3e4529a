"""Every value in a record carries where it came from: declared by the citizen, reported by a
facility in a visit, or confirmed by a clinician, with who, which visit and when. A slot keeps
the latest fact of each kind, so a self-declaration never overwrites a clinician's value (both
are kept and shown) and a late, older visit never overwrites a newer observation. Joining two
slots keeps, kind by kind, the later fact: the order facts arrive in does not matter."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["self_declared", "facility_reported", "clinician_confirmed"]
KINDS: tuple[Kind, ...] = ("clinician_confirmed", "facility_reported", "self_declared")
BADGES_VI = {
    "clinician_confirmed": "bác sĩ xác nhận",
    "facility_reported": "cơ sở y tế ghi nhận",
    "self_declared": "người dân tự khai",
}


class Frozen(BaseModel):
    # Stored documents may carry fields an older or newer version of this service wrote.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Source(Frozen):
    kind: Kind
    by: str = Field(description="'citizen', a facility code, or a clinician's token subject")
    visit_key: str | None = None
    at: datetime = Field(description="when it was observed (a visit) or declared")
    sent: datetime | None = Field(
        default=None, description="when the facility sent it: a corrected resend wins a tie"
    )


class Fact(Frozen):
    value: Any
    source: Source


class Slot(Frozen):
    """The latest fact of each kind for one field of the record."""

    facts: dict[Kind, Fact] = Field(default_factory=dict)

    def put(self, fact: Fact) -> Slot:
        """The slot with `fact`, unless a fact of its kind observed later is already here
        (at the same instant, the larger value wins, so any order gives the same slot)."""
        held = self.facts.get(fact.source.kind)
        if held is not None and not _later(fact, held):
            return self
        return Slot(facts={**self.facts, fact.source.kind: fact})

    def without(self, visit_key: str | None) -> Slot:
        """The slot without the facts a visit put (before its corrected revision is put)."""
        if visit_key is None or all(f.source.visit_key != visit_key for f in self.facts.values()):
            return self
        return Slot(facts={k: f for k, f in self.facts.items() if f.source.visit_key != visit_key})

    def join(self, other: Slot) -> Slot:
        joined = self
        for fact in other.facts.values():
            joined = joined.put(fact)
        return joined

    def trusted(self) -> Fact | None:
        """For what a clinician must rely on (allergies, blood group, conditions): a confirmed
        value first, then a facility's, then the citizen's."""
        return next((self.facts[k] for k in KINDS if k in self.facts), None)

    def latest(self) -> Fact | None:
        """For measurements (height, weight, blood pressure): the most recent observation."""
        return max(self.facts.values(), key=lambda f: f.source.at, default=None)

    def beside(self, shown: Fact | None) -> list[Fact]:
        """The other kinds' facts whose value differs from the one shown: shown next to it."""
        return [f for f in self.facts.values() if shown is not None and f.value != shown.value]


def _later(new: Fact, held: Fact) -> bool:
    """Whether `new` replaces `held`: observed later (then sent later), or at the same instants
    the larger fact, compared as canonical JSON (only then: it is the costly part)."""
    a, b = new.source, held.source
    when_new, when_held = (a.at, a.sent or a.at), (b.at, b.sent or b.at)
    if when_new != when_held:
        return when_new > when_held
    return _canonical(new) > _canonical(held)


def _canonical(fact: Fact) -> str:
    return json.dumps(fact.model_dump(mode="json"), sort_keys=True)


def join_slots(a: dict[str, Slot], b: dict[str, Slot]) -> dict[str, Slot]:
    return {k: a.get(k, Slot()).join(b.get(k, Slot())) for k in a.keys() | b.keys()}
