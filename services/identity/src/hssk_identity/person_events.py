"""What identity tells the platform about a person (`identity.person.v1`, key person_id), built
in one place. Event ids derive from the person and its version, so a replay publishes the same
ids. Their prefixes differ by path, as they were first published and must stay for replays:
registration and linking name theirs "person-created" / "person-updated", merges and unmerges
by the event's type ("PersonMerged", "PersonUpdated", "PersonUnmerged")."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from hssk_contracts import topics
from hssk_contracts.envelope import Envelope, derive_event_id
from hssk_contracts.events import PersonCreated, PersonMerged, PersonUnmerged, PersonUpdated
from hssk_identity.domain.person import Person
from hssk_kit.bus import Publish

PRODUCER = "identity"
Kind = Literal["created", "updated", "merged", "unmerged"]
Path = Literal["registry", "merges"]
_TYPES: dict[str, type[Envelope]] = {
    "created": PersonCreated,
    "updated": PersonUpdated,
    "merged": PersonMerged,
    "unmerged": PersonUnmerged,
}


def person_event(kind: Kind, person: Person, path: Path = "registry") -> Envelope:
    event_type = _TYPES[kind]
    if kind == "created":  # the person as first registered, however it has grown since
        event_id = derive_event_id("person-created", person.person_id)
        person = person if person.version == 1 else replace(person, version=1)
    elif path == "merges":
        event_id = derive_event_id(event_type.__name__, person.person_id, str(person.version))
    else:
        event_id = derive_event_id(f"person-{kind}", person.person_id, str(person.version))
    return event_type.new(
        event_id=event_id, producer=PRODUCER, key=person.person_id, data=person.snapshot()
    )


async def announce(kind: Kind, person: Person, publish: Publish, path: Path = "registry") -> None:
    await publish(topics.IDENTITY_PERSON, person_event(kind, person, path))
