"""A person in the master citizen index, and how one is first registered from a visit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hssk_contracts import identifiers as ids
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import PersonSnapshot
from hssk_contracts.visit import Identifier, Patient


@dataclass(frozen=True)
class Person:
    person_id: str
    version: int
    identifiers: tuple[Identifier, ...]
    name: str
    birth_date: str | None
    sex: str
    commune_code: str | None
    created_by: str  # the event that registered this person: replaying it re-announces the person

    @property
    def match_keys(self) -> list[str]:
        return ids.match_keys([(i.type, i.value) for i in self.identifiers])

    def snapshot(self) -> PersonSnapshot:
        return PersonSnapshot(
            person_id=self.person_id,
            version=self.version,
            identifiers=list(self.identifiers),
            name=self.name,
            birth_date=self.birth_date,
            sex=self.sex,  # type: ignore[arg-type]
            commune_code=self.commune_code,
        )


def new_person_id(cause_event_id: str) -> str:
    """Opaque and stable: derived from the event that registers the person, never from an ID
    number (a hash of a 12-digit number could be reversed)."""
    return derive_event_id("person", cause_event_id)


def register(patient: Patient, cause_event_id: str) -> Person:
    return Person(
        person_id=new_person_id(cause_event_id),
        version=1,
        identifiers=tuple(patient.identifiers),
        name=patient.name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        commune_code=patient.commune_code,
        created_by=cause_event_id,
    )


def bump(person: Person, **changes: Any) -> Person:
    return replace(person, version=person.version + 1, **changes)
