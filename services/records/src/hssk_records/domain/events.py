"""The history of a record: immutable record events, one per version, keyed
"<person_id>:<version>". `apply` is the one transition from a record and its next event to the
next record; `fold` replays a history (all of it for a rebuild, up to an instant for an as-of
read). An unmerge is the one event that needs the history: the survivor is folded again
without what the merge brought."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import Field

from hssk_contracts.visit import Identifier, Visit
from hssk_records.domain import completeness
from hssk_records.domain.facts import Fact, Frozen
from hssk_records.domain.merging import joined
from hssk_records.domain.record import Record
from hssk_records.domain.visits import with_visit

Change = Literal[
    "visit_added",
    "visit_revised",
    "self_declared",
    "clinician_confirmed",
    "person_merged",  # on the survivor: the merged person's record joined in
    "merged_away",  # on the merged person: now a tombstone
    "person_unmerged",  # on the survivor: what the merge brought taken out again
    "restored",  # on the merged person: a record again
    "person_updated",  # identity's data of the person (name, birth date, identifiers, ward)
]


class Placed(Frozen):
    part: Literal["admin", "health", "vitals"]
    slot: str
    fact: Fact


class RecordEvent(Frozen):
    person_id: str
    version: int = Field(ge=1)
    at: datetime
    change: Change
    cause: str = Field(description="the event or request that caused it (replays find it)")
    by: str = Field(description="who: a facility code, 'citizen', a clinician, 'identity'")
    sections: list[str] = Field(default_factory=list)
    visit: Visit | None = None
    content_hash: str | None = None
    facts: list[Placed] = Field(default_factory=list)
    identifiers: list[Identifier] = Field(default_factory=list)
    other: str | None = Field(default=None, description="the other person of a merge")
    merged: Record | None = Field(default=None, description="the merged record, as merged")

    @property
    def key(self) -> str:
        return event_key(self.person_id, self.version)


def event_key(person_id: str, version: int) -> str:
    return f"{person_id}:{version}"


def apply(record: Record | None, event: RecordEvent) -> Record:
    """The record after `event` (which must be its next version)."""
    base = record or Record(person_id=event.person_id)
    if event.version != base.version + 1:
        raise ValueError(f"event {event.key} does not follow version {base.version}")
    if event.change in ("visit_added", "visit_revised"):
        assert event.visit is not None
        after = with_visit(base, event.visit, revised=event.change == "visit_revised")
    elif event.change in ("self_declared", "clinician_confirmed", "person_updated"):
        after = with_facts(base, event.facts)
        if event.identifiers:
            known = {(i.type, i.value): i for i in [*after.identifiers, *event.identifiers]}
            after = after.model_copy(update={"identifiers": list(known.values())})
    elif event.change == "person_merged":
        assert event.merged is not None
        after = joined(base, event.merged)
    elif event.change == "merged_away":
        after = base.model_copy(update={"merged_into": event.other})
    elif event.change == "restored":
        after = base.model_copy(update={"merged_into": None})
    else:
        raise ValueError("an unmerge needs the history: use fold")
    return finish(after, event.version)


def with_facts(record: Record, placed: Iterable[Placed]) -> Record:
    parts = {
        "admin": dict(record.admin),
        "health": dict(record.health),
        "vitals": dict(record.vitals),
    }
    for p in placed:
        parts[p.part][p.slot] = record.slot(p.part, p.slot).put(p.fact)
    return record.model_copy(update=parts)


def finish(record: Record, version: int) -> Record:
    return record.model_copy(
        update={"version": version, "completeness": completeness.assess(record)}
    )


def fold(events: Iterable[RecordEvent], until: datetime | None = None) -> Record | None:
    """The record the events make, in version order (up to `until` if given)."""
    record: Record | None = None
    applied: list[RecordEvent] = []
    for event in sorted(events, key=lambda e: e.version):
        if until is not None and event.at > until:
            break
        if event.change == "person_unmerged":
            record = _without_merge(applied, event)
        else:
            record = apply(record, event)
        applied.append(event)
    return record


def _without_merge(applied: list[RecordEvent], unmerge: RecordEvent) -> Record:
    """The survivor without the merge `unmerge` undoes: its other events folded again (numbered
    afresh in memory: an earlier unmerge among them folds the same way)."""
    kept = [e for e in applied if not (e.change == "person_merged" and e.other == unmerge.other)]
    renumbered = [e.model_copy(update={"version": i}) for i, e in enumerate(kept, start=1)]
    record = fold(renumbered) or Record(person_id=unmerge.person_id)
    base = record.model_copy(
        update={"merged_in": [p for p in record.merged_in if p != unmerge.other]}
    )
    return finish(base, unmerge.version)
