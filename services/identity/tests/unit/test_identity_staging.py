"""A batch resolved against a staged index (bulk_import/staged_batch.py) and stored at once:
the same answers as rows resolved one by one, few reads and writes, and a registration racing
the batch between its prefetch and its storing (a visit registering the same citizen) never
splits a citizen."""

from __future__ import annotations

from datetime import UTC, datetime

from hssk_contracts.events import PersonCreated, PersonUpdated
from hssk_contracts.visit import Identifier
from hssk_identity.adapters.memory import InMemoryPersonRepository, in_memory_index
from hssk_identity.bulk_import.staged_batch import StagedIndex
from hssk_identity.candidates import MAX_BLOCK
from hssk_identity.domain import matching
from hssk_identity.domain.person import HolderCard
from hssk_identity.handlers import Index, Query, Resolution, resolve

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
CCCD = "001090012345"
CARD = "DN4010123456789"
RENEWED = "HT3010123456789"  # the same BHXH number (0123456789), another group


def lan(*identifiers: tuple[str, str], name: str = "Nguyễn Thị Lan") -> Query:
    return Query(
        name=name,
        identifiers=tuple(Identifier(type=t, value=v) for t, v in identifiers),
        birth_date="1990-05-01",
        sex="female",
        phone="0901234567",
        commune_code="00001",
    )


async def resolve_batch(
    index: Index, rows: list[tuple[str, Query]], publish
) -> tuple[list[Resolution], set[int]]:
    """What the import does with one batch (bulk_import/importing.py)."""
    staged = StagedIndex(index)
    await staged.prefetch(rows)
    found = []
    for n, (cause, query) in enumerate(rows):
        staged.row = n
        found.append(await answer(query, cause, staged.index, staged.publish))
    redo = await staged.store(publish, NOW)
    for n in sorted(redo):
        cause, query = rows[n]
        found[n] = await answer(query, cause, index, publish)
    return found, redo


async def answer(query: Query, cause: str, index: Index, publish) -> Resolution:
    return await resolve(
        query, create=True, cause=cause, source="import:t", now=NOW, index=index, publish=publish
    )


class RacedPersons(InMemoryPersonRepository):
    """A visit registers `query` the moment the batch starts storing its claims."""

    def __init__(self, query: Query, publish) -> None:
        super().__init__()
        self.rival: Resolution | None = None
        self._query, self._publish = query, publish
        self.index: Index | None = None

    async def claim_all(self, claims: list[tuple[str, HolderCard]]) -> dict[str, str]:
        if self.rival is None:
            assert self.index is not None
            self.rival = await answer(self._query, "visit-1", self.index, self._publish)
        return await super().claim_all(claims)


def raced_index(rival: Query, publish) -> tuple[Index, RacedPersons]:
    persons = RacedPersons(rival, publish)
    index = in_memory_index()
    index = Index(persons, index.blocks, index.reviews, index.merges, index.decisions, index.care)
    persons.index = index
    return index, persons


async def test_a_batch_stores_what_its_rows_resolved_one_by_one_would(publish):
    rows = [
        ("r1", lan(("cccd", CCCD), ("bhyt", CARD))),
        ("r2", lan(("bhyt", RENEWED))),  # the same person, a renewed card: linked
        ("r3", lan(("cccd", "001090054321"), name="Trần Văn Nam")),
    ]
    one_by_one = in_memory_index()
    expected = [await answer(q, cause, one_by_one, publish) for cause, q in rows]
    batch = in_memory_index()

    found, redo = await resolve_batch(batch, rows, publish)

    assert redo == set()
    assert [(r.decision, r.person_id) for r in found] == [
        (r.decision, r.person_id) for r in expected
    ]
    assert batch.persons.persons == one_by_one.persons.persons  # type: ignore[attr-defined]
    assert batch.persons.identifiers == one_by_one.persons.identifiers  # type: ignore[attr-defined]
    assert batch.blocks.blocks == one_by_one.blocks.blocks  # type: ignore[attr-defined]


async def test_a_registration_losing_its_first_claim_at_storing_is_the_winner(publish):
    rival = lan(("cccd", CCCD))
    index, persons = raced_index(rival, publish)
    rows = [
        ("import:t:1", lan(("cccd", CCCD), ("bhyt", CARD))),
        ("import:t:2", lan(("cccd", CCCD), ("bhyt", RENEWED))),  # linked to row 1 in the batch
    ]

    found, redo = await resolve_batch(index, rows, publish)

    assert persons.rival is not None and persons.rival.decision == "created"
    winner = persons.rival.person_id
    assert redo == {0, 1}  # both touched the person that lost: resolved again, on their own
    assert [(r.decision, r.person_id) for r in found] == [("matched", winner)] * 2
    assert persons.identifiers == {"cccd:" + CCCD: winner, "bhxh:0123456789": winner}
    loser = next(p for p in persons.persons.values() if p.created_by == "import:t:1")
    assert (loser.identifiers, loser.merged_into) == ((), winner)  # unreachable, holds nothing
    created = [e.key for _, e in publish.sent if isinstance(e, PersonCreated)]
    assert created == [winner]  # the loser was never announced


async def test_a_person_losing_a_weaker_claim_at_storing_no_longer_lists_it(publish):
    rival = lan(("bhyt", CARD), name="Lê Văn Bình")  # someone registered with that card meanwhile
    index, persons = raced_index(rival, publish)

    found, redo = await resolve_batch(
        index, [("import:t:1", lan(("cccd", CCCD), ("bhyt", CARD)))], publish
    )

    assert redo == set() and found[0].decision == "created"
    mine = persons.persons[found[0].person_id]
    assert [i.value for i in mine.identifiers] == [CCCD]
    assert persons.identifiers["bhxh:0123456789"] == persons.rival.person_id  # type: ignore[union-attr]
    last = [e for _, e in publish.sent if e.key == mine.person_id][-1]
    assert isinstance(last, PersonUpdated) and last.data.identifiers == list(mine.identifiers)
    (review,) = index.reviews.reviews.values()  # type: ignore[attr-defined]
    assert review.person_id == persons.rival.person_id  # type: ignore[union-attr]
    assert [c.person_id for c in review.candidates] == [mine.person_id]


async def test_a_block_too_common_to_be_read_stops_growing(publish):
    index = in_memory_index()
    query = lan(("cccd", CCCD))
    common, *rest = matching.blocking_keys(query.demographics())
    crowd = [f"namesake-{i}" for i in range(MAX_BLOCK + 1)]
    index.blocks.blocks[common] = list(crowd)  # type: ignore[attr-defined]

    (found,), _ = await resolve_batch(index, [("import:t:1", query)], publish)

    assert index.blocks.blocks[common] == crowd  # type: ignore[attr-defined]
    for key in rest:
        assert index.blocks.blocks[key] == [found.person_id]  # type: ignore[attr-defined]
