"""A person in the master citizen index: identifiers, demographics with provenance, merges."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hssk_contracts import identifiers as ids
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import PersonSnapshot
from hssk_contracts.visit import Identifier
from hssk_identity.domain import dates, names, phones
from hssk_identity.domain.matching import Demographics

DEMOGRAPHIC_FIELDS = ("name", "birth_date", "sex", "phone", "commune_code", "address")


@dataclass(frozen=True)
class Person:
    person_id: str
    version: int
    identifiers: tuple[Identifier, ...]
    name: str
    birth_date: str | None
    sex: str
    commune_code: str | None
    created_by: str  # the cause that registered this person: replaying it re-announces the person
    phone: str | None = None
    address: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)  # field -> source that set it
    merged_into: str | None = None
    # A provisional person awaiting review against these: one open question, not rivals.
    pending_review_of: tuple[str, ...] = ()

    @property
    def match_keys(self) -> list[str]:
        return ids.match_keys([(i.type, i.value) for i in self.identifiers])

    def demographics(self) -> Demographics:
        return demographics_of(self)

    def snapshot(self) -> PersonSnapshot:
        return PersonSnapshot(
            person_id=self.person_id,
            version=self.version,
            identifiers=list(self.identifiers),
            name=self.name,
            birth_date=self.birth_date,
            sex=self.sex,  # type: ignore[arg-type]
            commune_code=self.commune_code,
            merged_into=self.merged_into,
        )


@dataclass(frozen=True)
class HolderCard:
    """What an identifier's document says of the person holding it, so that a returning patient
    (the common visit) is answered with that one read. The birth date and the registering cause
    never change; the listed identifiers may lag behind the person or, after an unmerge, still
    list identifiers now held by someone else. Neither changes an answer: a query bringing an
    identifier the card does not list takes the full path, and one held by someone else would
    not be linked on the full path either."""

    person_id: str
    birth_date: str | None
    created_by: str
    identifiers: tuple[str, ...]  # "type:value" of each identifier listed on the person

    def lists(self, identifiers: tuple[Identifier, ...]) -> bool:
        return all(f"{i.type}:{i.value}" in self.identifiers for i in identifiers)


def card(person: Person) -> HolderCard:
    return HolderCard(
        person_id=person.person_id,
        birth_date=person.birth_date,
        created_by=person.created_by,
        identifiers=tuple(f"{i.type}:{i.value}" for i in person.identifiers),
    )


def demographics_of(x: Any) -> Demographics:
    """What the matcher compares, of a person or a query (both have these fields)."""
    return Demographics(
        name=names.parse(x.name),
        birth=dates.parse_birth_date(x.birth_date),
        sex=x.sex,
        phone=phones.canonical(x.phone),  # compared as numbers, in E.164
        commune_code=x.commune_code,
        address=x.address,
        personal_id=personal_id(x.identifiers),
        insurance_number=insurance_number(x.identifiers),
    )


def personal_id(identifiers: tuple[Identifier, ...]) -> str | None:
    return next((i.value for i in identifiers if i.type == "cccd"), None)


def insurance_number(identifiers: tuple[Identifier, ...]) -> str | None:
    """The BHXH number of the first well-formed BHYT card (temporary newborn codes have none)."""
    cards = (i.value for i in identifiers if i.type == "bhyt" and ids.BHYT_RE.fullmatch(i.value))
    return next((ids.social_insurance_number(c) for c in cards), None)


def new_person_id(cause: str) -> str:
    """Opaque and stable: derived from the cause that registers the person, never from an ID
    number (a hash of a 12-digit number could be reversed)."""
    return derive_event_id("person", cause)


def register(query: Any, cause: str, source: str) -> Person:
    """A new person from a resolve query (name, identifiers and optional demographics)."""
    values = {f: getattr(query, f, None) for f in DEMOGRAPHIC_FIELDS}
    return Person(
        person_id=new_person_id(cause),
        version=1,
        identifiers=tuple(query.identifiers),
        name=names.parse(query.name).display,
        birth_date=values["birth_date"],
        sex=values["sex"] or "unknown",
        commune_code=values["commune_code"],
        phone=values["phone"],
        address=values["address"],
        created_by=cause,
        provenance={f: source for f, v in values.items() if v}
        | {"name": source}
        | {provenance_key(i): source for i in query.identifiers},
    )


def provenance_key(identifier: Identifier) -> str:
    return f"identifier:{identifier.type}:{identifier.value}"


def with_identifiers(person: Person, extra: list[Identifier], source: str | None = None) -> Person:
    """The person also holding `extra`; `source` (who brought them) is kept as provenance."""
    known = {(i.type, i.value) for i in person.identifiers}
    new = [i for i in extra if (i.type, i.value) not in known]
    if not new:
        return person
    provenance = person.provenance
    if source is not None:
        provenance = {**provenance, **{provenance_key(i): source for i in new}}
    return bump(person, identifiers=person.identifiers + tuple(new), provenance=provenance)


def without_identifiers(person: Person, gone: list[Identifier]) -> Person:
    drop = {(i.type, i.value) for i in gone}
    kept = tuple(i for i in person.identifiers if (i.type, i.value) not in drop)
    return person if kept == person.identifiers else bump(person, identifiers=kept)


def bump(person: Person, **changes: Any) -> Person:
    return replace(person, version=person.version + 1, **changes)
