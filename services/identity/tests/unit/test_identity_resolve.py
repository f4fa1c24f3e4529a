"""resolve(), review resolution and merges over the in-memory fakes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hssk_contracts import topics
from hssk_contracts.events import PersonMerged, PersonUnmerged
from hssk_contracts.visit import Identifier
from hssk_identity import merges
from hssk_identity.adapters.memory import InMemoryPersonRepository, in_memory_index
from hssk_identity.handlers import Index, Query, resolve
from hssk_kit.audit import InMemoryAuditLog

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CCCD_ID = Identifier(type="cccd", value="001185012345")


@pytest.fixture
def index() -> Index:
    return in_memory_index()


def lan(**changes) -> Query:
    base = dict(
        name="Nguyễn Thị Lan",
        birth_date="1985-03-12",
        sex="female",
        phone="0912345678",
        commune_code="00001",
        identifiers=(Identifier(type="cccd", value="001185012345"),),
    )
    return Query(**{**base, **changes})


async def run(query: Query, index: Index, publish, cause: str, create: bool = True):
    return await resolve(
        query, create=create, cause=cause, source="test", now=NOW, index=index, publish=publish
    )


async def test_the_personal_id_decides_first(index, publish):
    first = await run(lan(), index, publish, "c1")
    again = await run(lan(name="NGUYEN THI LAN", phone=None), index, publish, "c2")
    assert first.decision == "created"
    assert (again.decision, again.person_id, again.matched_on) == (
        "matched",
        first.person_id,
        "cccd",
    )


async def test_an_id_held_by_someone_entirely_different_goes_to_review(index, publish):
    first = await run(lan(), index, publish, "c1")
    stranger = Query(
        name="Phạm Văn Quang",
        birth_date="1950-01-20",
        sex="male",
        identifiers=(Identifier(type="cccd", value="001185012345"),),
    )
    found = await run(stranger, index, publish, "c2")
    assert found.decision == "review" and found.person_id != first.person_id
    assert await index.persons.owner_of("cccd:001185012345") == first.person_id  # not stolen
    [review] = await index.reviews.list_open(None)
    assert review.candidates[0].person_id == first.person_id


async def test_no_identifier_but_the_same_person_by_demographics_is_linked(index, publish):
    first = await run(lan(), index, publish, "c1")
    variant = lan(name="Nguyen Thi Lan", identifiers=())
    found = await run(variant, index, publish, "c2")
    assert (found.decision, found.person_id) == ("matched", first.person_id)
    assert found.weights["name:tone_only"] > 0 and found.score >= 15


async def test_a_decision_among_candidates_is_kept_with_its_weights(index, publish):
    first = await run(lan(), index, publish, "c1")
    await run(lan(name="Nguyen Thi Lan", identifiers=()), index, publish, "c2")

    kept = await index.decisions.get("c2")
    assert kept is not None and kept["decision"] == "matched"
    assert kept["candidates"][0]["person_id"] == first.person_id
    assert kept["candidates"][0]["weights"]["name:tone_only"] > 0
    assert await index.decisions.get("c1") is None  # nobody to compare with: nothing to explain


async def test_twins_sharing_phone_and_address_are_never_merged(index, publish):
    await run(lan(), index, publish, "c1")
    twin = lan(name="Nguyễn Thị Hồng", identifiers=())
    found = await run(twin, index, publish, "c2")
    assert found.decision in ("created", "review")
    assert found.decision != "matched"


async def test_without_create_nothing_is_stored(index, publish):
    found = await run(lan(), index, publish, "c1", create=False)
    assert (found.decision, found.person_id) == ("new", None)
    assert await index.persons.owner_of("cccd:001185012345") is None
    assert publish.sent == []


async def test_a_review_links_by_merging_and_a_rejection_is_remembered(index, publish):
    first = await run(lan(), index, publish, "c1")
    # no Thị, sex not written: in the review band (between the model's two thresholds)
    unsure = lan(name="Nguyễn Lan", identifiers=(), phone=None, commune_code=None, sex="unknown")
    found = await run(unsure, index, publish, "c2")
    assert found.decision == "review" and found.review_id
    audit = InMemoryAuditLog()
    done = await merges.resolve_review(
        found.review_id,
        "link",
        None,
        by="op",
        role="operator",
        index=index,
        publish=publish,
        audit=audit,
    )
    assert (done.status, done.linked_to) == ("linked", first.person_id)
    assert (await index.persons.get(found.person_id)).merged_into == first.person_id
    assert any(isinstance(e, PersonMerged) for _, e in publish.sent)
    assert [e.action for e in audit.entries] == ["person.merge", "review.resolve"]
    with pytest.raises(merges.ActionRefused):
        await merges.resolve_review(
            found.review_id,
            "new_person",
            None,
            by="op",
            role="operator",
            index=index,
            publish=publish,
            audit=audit,
        )


async def test_not_a_match_is_not_asked_again(index, publish):
    first = await run(lan(), index, publish, "c1")
    unsure = lan(name="Nguyễn Lan", identifiers=(), phone=None, commune_code=None, sex="unknown")
    found = await run(unsure, index, publish, "c2")
    await merges.resolve_review(
        found.review_id,
        "not_a_match",
        None,
        by="op",
        role="operator",
        index=index,
        publish=publish,
        audit=InMemoryAuditLog(),
    )
    again = await run(unsure, index, publish, "c3", create=False)
    assert first.person_id not in [c.person_id for c in again.candidates]


async def test_unmerge_gives_back_exactly_the_moved_identifiers(index, publish):
    a = await run(lan(), index, publish, "c1")
    b = await run(
        Query(
            name="Trần Văn Nam",
            birth_date="1970",
            sex="male",
            identifiers=(
                Identifier(type="cccd", value="001070099999"),
                Identifier(type="bhyt", value="HT3010123456789"),
            ),
        ),
        index,
        publish,
        "c2",
    )
    audit = InMemoryAuditLog()
    await merges.merge(
        a.person_id,
        b.person_id,
        by="op",
        role="operator",
        index=index,
        publish=publish,
        audit=audit,
    )
    assert await index.persons.owner_of("bhxh:0123456789") == a.person_id
    await merges.unmerge(
        b.person_id, by="op", role="operator", index=index, publish=publish, audit=audit
    )
    assert await index.persons.owner_of("bhxh:0123456789") == b.person_id
    assert await index.persons.owner_of("cccd:001185012345") == a.person_id
    survivor = await index.persons.get(a.person_id)
    assert [i.value for i in survivor.identifiers] == ["001185012345"]
    unmerged = [e for t, e in publish.sent if isinstance(e, PersonUnmerged)]
    assert unmerged and unmerged[0].data.person_id == b.person_id
    assert all(
        t is topics.IDENTITY_PERSON
        for t, e in publish.sent
        if isinstance(e, PersonMerged | PersonUnmerged)
    )
    with pytest.raises(merges.ActionRefused):
        await merges.unmerge(
            b.person_id, by="op", role="operator", index=index, publish=publish, audit=audit
        )


async def test_two_concurrent_registrations_of_one_new_id_give_one_person(index, publish):
    import asyncio

    first, second = await asyncio.gather(
        run(lan(), index, publish, "c1"), run(lan(phone=None), index, publish, "c2")
    )
    assert first.person_id == second.person_id
    assert {first.decision, second.decision} == {"created", "matched"}
    holder = await index.persons.get(first.person_id)
    assert [i.value for i in holder.identifiers] == ["001185012345"]
    loser = [p for p in index.persons.persons.values() if p.person_id != first.person_id]
    assert all(p.identifiers == () for p in loser)  # the loser holds and lists nothing


async def test_a_replayed_review_is_answered_as_the_first_time(index, publish):
    await run(lan(), index, publish, "c1")
    unsure = lan(
        name="Nguyễn Lan",
        identifiers=(Identifier(type="cmnd", value="012345678"),),
        phone=None,
        commune_code=None,
        sex="unknown",
    )
    first = await run(unsure, index, publish, "c2")
    again = await run(unsure, index, publish, "c2")  # the same cause: a redelivery
    assert first.decision == again.decision == "review"
    assert (again.person_id, again.review_id) == (first.person_id, first.review_id)


class SlowSecondClaim(InMemoryPersonRepository):
    """Every claim is a round trip (it yields), and registration "c1" pauses before claiming
    its second identifier, so a concurrent registration of the same citizen can reach that
    identifier first."""

    async def claim(self, key, card):
        await asyncio.sleep(0.01 if card.created_by == "c1" and key.startswith("bhxh:") else 0)
        return await super().claim(key, card)


async def test_concurrent_registrations_never_split_a_citizen_between_two_identifiers(publish):
    """The crash test once found one citizen as two persons: one registration won the CCCD,
    the other the BHYT card. The strongest identifier decides; the loser links to the winner."""
    index = replace(in_memory_index(), persons=SlowSecondClaim())
    both = lan(identifiers=(CCCD_ID, Identifier(type="bhyt", value="DN4010123456789")))
    first, second = await asyncio.gather(
        run(both, index, publish, "c1"), run(both, index, publish, "c2")
    )
    assert first.person_id == second.person_id
    assert index.persons.identifiers == {
        "cccd:001185012345": first.person_id,
        "bhxh:0123456789": first.person_id,
    }


CARD_ID = Identifier(type="bhyt", value="DN4010123456789")


def split_review(index: Index):
    return next(iter(index.reviews.reviews.values()))  # type: ignore[attr-defined]


async def test_a_citizen_found_held_as_two_persons_is_reviewed_and_linking_merges_them(
    index, publish
):
    first = await run(lan(), index, publish, "c1")  # registered by the personal ID
    other = lan(name="Lê Thị Hoa", birth_date="1990-01-02", phone=None, identifiers=(CARD_ID,))
    card_only = await run(other, index, publish, "c2")  # the card, typed on someone else
    assert card_only.decision == "created"

    both = await run(lan(identifiers=(CCCD_ID, CARD_ID)), index, publish, "c3")

    assert (both.decision, both.person_id) == ("matched", first.person_id)
    review = split_review(index)
    assert (review.person_id, [c.person_id for c in review.candidates]) == (
        card_only.person_id,
        [first.person_id],
    )
    assert review.reason == "bhxh of this citizen held by another person"
    await run(lan(identifiers=(CCCD_ID, CARD_ID)), index, publish, "c4")
    assert len(index.reviews.reviews) == 1  # type: ignore[attr-defined]  # asked once
    await merges.resolve_review(
        review.review_id,
        "link",
        None,
        by="officer",
        role="ward_officer",
        index=index,
        publish=publish,
        audit=InMemoryAuditLog(),
    )
    assert await index.persons.owner_of("bhxh:0123456789") == first.person_id


async def test_a_registration_losing_a_weaker_identifier_to_a_concurrent_one_is_reviewed(
    publish,
):
    index = replace(in_memory_index(), persons=SlowSecondClaim())
    with_card = lan(identifiers=(CCCD_ID, CARD_ID))
    card_only = lan(identifiers=(CARD_ID,))

    first, second = await asyncio.gather(
        run(with_card, index, publish, "c1"), run(card_only, index, publish, "c2")
    )

    assert first.person_id != second.person_id  # the card went to the other registration
    review = split_review(index)
    assert (review.person_id, review.candidates[0].person_id) == (
        second.person_id,
        first.person_id,
    )


def state_of(index: Index) -> str:
    """Everything the in-memory index holds, to prove a lookup changed none of it."""
    parts = [index.persons, index.blocks, index.reviews, index.merges, index.decisions]
    return repr([sorted(vars(p).items(), key=lambda kv: kv[0]) for p in parts])


@pytest.mark.parametrize(
    "brought",
    [
        (CCCD_ID, Identifier(type="passport", value="C1234567")),  # a known ID + a new passport
        (Identifier(type="passport", value="C7654321"),),  # only a new passport
        (),  # demographics only
    ],
)
async def test_a_lookup_never_writes(index, publish, brought):
    await run(lan(), index, publish, "register")
    before, sent = state_of(index), len(publish.sent)
    found = await run(lan(identifiers=brought), index, publish, "lookup", create=False)
    assert found.decision in ("matched", "review", "new")
    assert state_of(index) == before and len(publish.sent) == sent
    person = await index.persons.get((await index.persons.owner_of("cccd:001185012345")) or "")
    assert [i.type for i in person.identifiers] == ["cccd"]  # no passport attached


async def test_a_registration_records_who_brought_each_identifier(index, publish):
    first = await run(lan(), index, publish, "visit-1")
    card = Identifier(type="bhyt", value="DN4010123456789")
    await resolve(
        lan(identifiers=(CCCD_ID, card)), create=True, cause="visit-2",
        source="visit:01001:LK2", now=NOW, index=index, publish=publish,
    )  # fmt: skip
    person = await index.persons.get(first.person_id)
    assert person.provenance["identifier:cccd:001185012345"] == "test"
    assert person.provenance["identifier:bhyt:DN4010123456789"] == "visit:01001:LK2"


async def test_a_hospital_adds_identifiers_only_to_its_own_patients(index, publish):
    first = await run(lan(), index, publish, "visit-1")
    await index.care.add(first.person_id, "79001")
    passport = Identifier(type="passport", value="C1234567")

    async def register_at(facility: str, cause: str):
        async def own(person_id: str) -> bool:
            return await index.care.has(person_id, facility)

        return await resolve(
            lan(identifiers=(CCCD_ID, passport)), create=True, cause=cause, source=facility,
            now=NOW, index=index, publish=publish, may_link=own,
        )  # fmt: skip

    elsewhere = await register_at("79002", "reception-2")
    assert (elsewhere.person_id, elsewhere.decision) == (first.person_id, "matched")
    assert "not as a patient of your facility" in elsewhere.not_linked
    assert await index.persons.owner_of("passport:C1234567") is None
    own = await register_at("79001", "reception-1")
    assert own.not_linked is None
    assert await index.persons.owner_of("passport:C1234567") == first.person_id
