"""Returning patients: answered from the card kept on their identifier, in one read, with the
same answer the full path gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hssk_contracts.events import PersonUpdated
from hssk_contracts.visit import Identifier
from hssk_identity import merges
from hssk_identity.adapters.memory import InMemoryPersonRepository, in_memory_index
from hssk_identity.domain.person import HolderCard
from hssk_identity.handlers import Index, Query, resolve
from hssk_kit.audit import InMemoryAuditLog

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CCCD = Identifier(type="cccd", value="001185012345")
CARD = Identifier(type="bhyt", value="DN4010123456789")


class CountingPersons(InMemoryPersonRepository):
    """Counts every read and write the handlers make of the person repository."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def owner_of(self, key):
        self.calls.append("owner_of")
        return await super().owner_of(key)

    async def holding(self, key):
        self.calls.append("holding")
        return await super().holding(key)

    async def get(self, person_id):
        self.calls.append("get")
        return await super().get(person_id)

    async def file_card(self, keys, card):
        self.calls.append("file_card")
        await super().file_card(keys, card)


@pytest.fixture
def persons() -> CountingPersons:
    return CountingPersons()


@pytest.fixture
def index(persons) -> Index:
    return replace(in_memory_index(), persons=persons)


def lan(**changes) -> Query:
    base = dict(
        name="Nguyễn Thị Lan",
        birth_date="1985-03-12",
        sex="female",
        commune_code="00001",
        identifiers=(CCCD, CARD),
    )
    return Query(**{**base, **changes})


async def run(query: Query, index: Index, publish, cause: str):
    return await resolve(
        query, create=True, cause=cause, source="test", now=NOW, index=index, publish=publish
    )


async def test_a_returning_patient_is_answered_with_one_read(index, persons, publish):
    first = await run(lan(), index, publish, "c1")
    persons.calls.clear()
    sent = len(publish.sent)

    again = await run(lan(name="NGUYEN THI LAN"), index, publish, "c2")

    assert (again.decision, again.person_id, again.matched_on) == (
        "matched",
        first.person_id,
        "cccd",
    )
    assert persons.calls == ["holding"]
    assert len(publish.sent) == sent  # nothing changed, nothing announced


async def test_the_cccd_alone_is_enough_for_the_card(index, persons, publish):
    first = await run(lan(), index, publish, "c1")
    persons.calls.clear()
    again = await run(lan(identifiers=(CCCD,)), index, publish, "c2")
    assert again.person_id == first.person_id and persons.calls == ["holding"]


async def test_a_new_card_number_takes_the_full_path_and_then_the_card_lists_it(
    index, persons, publish
):
    first = await run(lan(), index, publish, "c1")
    renewed = Identifier(type="bhyt", value="HT3010123456789")  # same BHXH number, new group

    again = await run(lan(identifiers=(CCCD, renewed)), index, publish, "c2")

    assert again.person_id == first.person_id
    updated = [e for _, e in publish.sent if isinstance(e, PersonUpdated)]
    assert [i.value for i in updated[-1].data.identifiers] == [
        CCCD.value,
        CARD.value,
        renewed.value,
    ]
    persons.calls.clear()
    await run(lan(identifiers=(CCCD, renewed)), index, publish, "c3")
    assert persons.calls == ["holding"]


async def test_a_different_birth_date_is_checked_on_the_full_path(index, persons, publish):
    await run(lan(), index, publish, "c1")
    persons.calls.clear()
    stranger = await run(
        lan(name="Phạm Văn Quang", birth_date="1950-01-20", sex="male"), index, publish, "c2"
    )
    assert stranger.decision == "review"
    assert "get" in persons.calls


async def test_a_replay_of_the_registration_is_not_answered_from_the_card(index, persons, publish):
    first = await run(lan(), index, publish, "c1")
    again = await run(lan(), index, publish, "c1")
    assert (again.decision, again.person_id) == ("created", first.person_id)


async def test_a_person_registered_before_cards_existed_gets_one_on_the_next_visit(
    index, persons, publish
):
    first = await run(lan(), index, publish, "c1")
    persons.cards.clear()  # as stored by a version without cards

    again = await run(lan(), index, publish, "c2")
    assert again.person_id == first.person_id
    assert "file_card" in persons.calls
    persons.calls.clear()
    await run(lan(), index, publish, "c3")
    assert persons.calls == ["holding"]


async def test_a_card_of_someone_else_than_the_holder_is_not_believed(index, persons, publish):
    first = await run(lan(), index, publish, "c1")
    persons.cards[f"cccd:{CCCD.value}"] = HolderCard("someone-else", "1985-03-12", "c0", ())
    holding = await persons.holding(f"cccd:{CCCD.value}")
    assert holding is not None and (holding.person_id, holding.card) == (first.person_id, None)


async def test_after_merge_and_unmerge_the_cards_answer_as_the_full_path(index, persons, publish):
    a = await run(lan(identifiers=(CCCD,)), index, publish, "c1")
    nam = Query(
        name="Trần Văn Nam",
        birth_date="1985-03-12",
        sex="male",
        identifiers=(Identifier(type="cccd", value="001085099999"), CARD),
    )
    b = await run(nam, index, publish, "c2")
    audit = InMemoryAuditLog()
    kwargs = dict(by="op", role="operator", index=index, publish=publish, audit=audit)

    await merges.merge(a.person_id, b.person_id, **kwargs)
    persons.calls.clear()
    merged = await run(lan(identifiers=(CCCD, CARD)), index, publish, "c3")
    assert (merged.person_id, persons.calls) == (a.person_id, ["holding"])
    by_card = await run(lan(identifiers=(CARD,)), index, publish, "c4")
    assert by_card.person_id == a.person_id

    await merges.unmerge(b.person_id, **kwargs)
    back = await run(nam, index, publish, "c5")
    assert (back.decision, back.person_id) == ("matched", b.person_id)
    survivor = await run(lan(identifiers=(CCCD, CARD)), index, publish, "c6")
    assert survivor.person_id == a.person_id
    assert [i.value for i in (await persons.get(a.person_id)).identifiers] == [CCCD.value]
