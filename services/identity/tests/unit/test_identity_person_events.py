"""Person events are built in one place, with the ids they were first published with: a replay
of a registration, a link or a merge publishes the same ids as the first time."""

from __future__ import annotations

from dataclasses import replace

from hssk_contracts.envelope import derive_event_id
from hssk_identity.domain import person as persons
from hssk_identity.handlers import Query
from hssk_identity.person_events import person_event


def test_event_ids_are_those_first_published():
    person = persons.register(Query(name="Nguyễn Thị Lan", birth_date="1985-03-12"), "c1", "t")
    grown = replace(person, version=3)
    pid = person.person_id
    created = person_event("created", grown)
    assert created.event_id == derive_event_id("person-created", pid)
    assert created.data.version == 1  # the person as first registered
    assert person_event("updated", grown).event_id == derive_event_id("person-updated", pid, "3")
    for kind, name in (("updated", "PersonUpdated"), ("merged", "PersonMerged"),
                       ("unmerged", "PersonUnmerged")):  # fmt: skip
        event = person_event(kind, grown, "merges")  # type: ignore[arg-type]
        assert event.event_id == derive_event_id(name, pid, "3") and event.type == name
    again = person_event("updated", grown)  # a replay
    assert (again.event_id, again.data) == (
        person_event("updated", grown).event_id,
        grown.snapshot(),
    )
