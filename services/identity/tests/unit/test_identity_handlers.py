"""handlers.on_visit_accepted with the in-memory person repository and a recording publish."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    PersonCreated,
    Source,
    VisitAccepted,
    VisitAcceptedData,
    VisitResolved,
)
from hssk_contracts.visit import Identifier, Patient, Visit
from hssk_identity.adapters.memory import InMemoryPersonRepository, in_memory_index
from hssk_identity.domain.person import HolderCard
from hssk_identity.handlers import on_visit_accepted
from hssk_kit.bus import Rejected

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CCCD = "001090012345"
CARD = "DN4010123456789"


def accepted(
    visit_id: str,
    identifiers: list[tuple[str, str]],
    facility: str = "01001",
    name: str = "Nguyễn Văn An",
) -> VisitAccepted:
    visit = Visit(
        facility_code=facility,
        visit_id=visit_id,
        sent_at=NOW,
        admitted_at=NOW - timedelta(hours=1),
        patient=Patient(
            name=name,
            birth_date="1990-05-01",
            sex="male",
            identifiers=[Identifier(type=t, value=v) for t, v in identifiers],
        ),
    )
    digest = hashlib.sha256(visit.key.encode()).hexdigest()
    return VisitAccepted.new(
        event_id=derive_event_id("visit-accepted", visit.key, "1", digest),
        producer="ingest-emr",
        key=visit.key,
        occurred_at=NOW,
        data=VisitAcceptedData(visit=visit, source=Source(format="json"), content_hash=digest),
    )


@pytest.fixture
def persons() -> InMemoryPersonRepository:
    return InMemoryPersonRepository()


async def resolve(event, persons, publish) -> str:
    index = replace(in_memory_index(), persons=persons)
    return await on_visit_accepted(event, now=NOW, index=index, publish=publish)


def resolved(publish) -> list[VisitResolved]:
    return [e for t, e in publish.sent if t is topics.RECORDS_VISIT]


async def test_new_person_is_created_and_the_visit_resolved(persons, publish):
    event = accepted("LK1", [("cccd", CCCD), ("bhyt", CARD)])

    person_id = await resolve(event, persons, publish)

    assert [(t, type(e)) for t, e in publish.sent] == [
        (topics.IDENTITY_PERSON, PersonCreated),
        (topics.RECORDS_VISIT, VisitResolved),
    ]
    created, visit_resolved = publish.sent[0][1], publish.sent[1][1]
    assert created.key == created.data.person_id == person_id
    assert created.data.version == 1
    assert [(i.type, i.value) for i in created.data.identifiers] == [("cccd", CCCD), ("bhyt", CARD)]
    assert CCCD not in person_id  # opaque: never derived from an ID number
    assert visit_resolved.key == person_id
    assert visit_resolved.data.decision == "created"
    assert visit_resolved.data.matched_on == "none"  # a new person: nothing matched
    assert visit_resolved.data.accepted_event_id == event.event_id
    assert visit_resolved.data.content_hash == event.data.content_hash
    assert visit_resolved.data.visit == event.data.visit
    assert persons.identifiers == {f"cccd:{CCCD}": person_id, "bhxh:0123456789": person_id}


async def test_second_visit_with_the_same_cccd_matches_the_same_person(persons, publish):
    first = await resolve(accepted("LK1", [("cccd", CCCD)]), persons, publish)
    publish.clear()

    second = await resolve(accepted("LK2", [("cccd", CCCD)], facility="79001"), persons, publish)

    assert second == first
    assert [t for t, _ in publish.sent] == [topics.RECORDS_VISIT]
    data = resolved(publish)[0].data
    assert (data.person_id, data.decision, data.matched_on) == (first, "matched", "cccd")
    assert len(persons.persons) == 1


async def test_bhyt_only_visit_matches_via_bhxh_number_despite_another_card_prefix(
    persons, publish
):
    first = await resolve(accepted("LK1", [("cccd", CCCD), ("bhyt", CARD)]), persons, publish)
    publish.clear()

    # New card: another object group, level and province; same lifelong BHXH number.
    second = await resolve(accepted("LK2", [("bhyt", "HT3790123456789")]), persons, publish)

    assert second == first
    data = resolved(publish)[0].data
    assert (data.decision, data.matched_on) == ("matched", "bhxh")
    assert not any(isinstance(e, PersonCreated) for _, e in publish.sent)


async def test_a_different_person_gets_a_different_id(persons, publish):
    a = await resolve(accepted("LK1", [("cccd", CCCD)]), persons, publish)
    b = await resolve(accepted("LK2", [("cccd", "079305999999")]), persons, publish)
    assert a != b
    assert len(persons.persons) == 2


async def test_replaying_the_same_event_re_emits_identical_event_ids(persons, publish):
    event = accepted("LK1", [("cccd", CCCD), ("bhyt", CARD)])
    first_id = await resolve(event, persons, publish)
    first = [(t, e.event_id, e.type) for t, e in publish.sent]
    publish.clear()

    again_id = await resolve(event, persons, publish)

    assert again_id == first_id
    assert [(t, e.event_id, e.type) for t, e in publish.sent] == first
    assert [e.type for _, e in publish.sent] == ["PersonCreated", "VisitResolved"]
    assert resolved(publish)[0].data.decision == "created"
    assert len(persons.persons) == 1


async def test_visit_without_a_usable_identifier_is_rejected(persons, publish):
    with pytest.raises(Rejected) as caught:
        await resolve(accepted("LK1", [("eid", "VNEID-1")]), persons, publish)
    assert [p.rule for p in caught.value.problems] == ["identifier_required"]
    assert publish.sent == []
    assert persons.persons == {}


async def test_card_first_seen_on_a_later_visit_links_later_card_only_visits(persons, publish):
    first = await resolve(accepted("LK1", [("cccd", CCCD)]), persons, publish)
    await resolve(accepted("LK2", [("cccd", CCCD), ("bhyt", CARD)]), persons, publish)

    third = await resolve(accepted("LK3", [("bhyt", CARD)]), persons, publish)

    assert third == first


class CrashOnSecondClaim(InMemoryPersonRepository):
    """The process dies after claiming the first key of a new person, before the others."""

    def __init__(self) -> None:
        super().__init__()
        self.crash_on = 2
        self.claims = 0

    async def claim(self, key: str, card: HolderCard) -> str:
        self.claims += 1
        if self.claims == self.crash_on:
            raise ConnectionError("mongo went away")
        return await super().claim(key, card)


async def test_replay_after_a_crash_mid_registration_claims_every_key(publish):
    persons = CrashOnSecondClaim()
    event = accepted("LK1", [("cccd", CCCD), ("bhyt", CARD)])
    with pytest.raises(ConnectionError):
        await resolve(event, persons, publish)

    person_id = await resolve(event, persons, publish)  # the consumer retries the message

    assert persons.identifiers == {f"cccd:{CCCD}": person_id, "bhxh:0123456789": person_id}
