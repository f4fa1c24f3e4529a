"""The statistics' store, one suite on the in-memory fake and on FerretDB: journals and catalogs
round-trip whole (a visit key with a dot included), tallies are created then added to, and
shares are inserted then replaced."""

from __future__ import annotations

import pytest

from hssk_records.domain.stats.journal import REMINDERS, Catalog, Journal
from hssk_records.domain.stats.shares import PersonShare, ReminderShare, VisitShare
from tests.integration.test_adapters import db  # noqa: F401  (the fixture: fake and FerretDB)

PERSON = PersonShare(version=3, ward="26740", sex="female", birth_year=1958, filled=30, total=46,
                     missing=("blood_group", "height"), conditions=("diabetes",))  # fmt: skip
VISIT = VisitShare(revision=1, ward="26740", week="2026-W49", chapter="IV")


def store(db):  # noqa: F811
    from hssk_records.adapters.memory import InMemoryStatsStore
    from hssk_records.adapters.mongo_stats import MongoStatsStore

    return InMemoryStatsStore() if db is None else MongoStatsStore(db)


async def test_journals_and_catalogs_round_trip_whole(db):  # noqa: F811
    s = store(db)
    assert await s.journal(3) is None and await s.catalogs([0, 3]) == {}
    journal = Journal(3, end=120, at="2026-12-07T03:00:00+00:00",
                      deltas={"completeness|79@3": {"26740|citizens": 2, "26740|band|0-24": -1}},
                      people={"p1": PERSON}, visits={"01001:LK.7": VISIT})  # fmt: skip
    await s.save_journal(journal)
    assert await s.journal(3) == journal
    later = Journal(3, end=121, at="2026-12-07T03:01:00+00:00")
    await s.save_journal(later)
    assert await s.journal(3) == later  # replaced, nothing of the last one left
    catalog = Catalog(3, 120, journal.at, {"completeness|79@3": 120, "visits|2026-W49@3": 98})
    await s.save_catalog(catalog)
    assert await s.catalogs([0, 3]) == {3: catalog}


async def test_each_source_keeps_journals_catalogs_and_shares_of_its_own(db):  # noqa: F811
    s = store(db)
    share = ReminderShare("delivered", "incomplete_profile:2026-Q4", "26740", "zalo",
                          "reminded", completed=True, offset=41)  # fmt: skip
    rid = "p1:incomplete_profile:height:2026-W50"
    journal = Journal(3, end=42, at="2026-12-07T03:00:00+00:00", reminders={rid: share},
                      source=REMINDERS)  # fmt: skip
    await s.save_journal(journal)
    await s.save_catalog(Catalog(3, 42, journal.at, {}, source=REMINDERS))
    assert await s.journal(3) is None and await s.catalogs([3]) == {}  # records' own: untouched
    assert await s.journal(3, REMINDERS) == journal
    assert (await s.catalogs([3], REMINDERS))[3].end == 42
    await s.keep({}, {}, {rid: share})
    assert await s.reminders([rid, "nope"]) == {rid: share}


async def test_tallies_are_created_then_added_to(db):  # noqa: F811
    s = store(db)
    await s.add({"t@0": {"a|x": 2, "a|y": 1}}, 10)
    await s.add({"t@0": {"a|x": -1, "b|z": 4}, "u@0": {"c|w": 1}}, 11, known={"t@0"})
    await s.add({"u@0": {"c|w": 1}}, 12)  # exists, though not said
    assert await s.offsets(["t@0", "u@0", "v@0"]) == {"t@0": 11, "u@0": 12}
    tallies = await s.tallies(["t@0", "u@0", "v@0"])
    assert tallies == {"t@0": {"a|x": 1, "a|y": 1, "b|z": 4}, "u@0": {"c|w": 2}}


async def test_a_tally_update_sent_again_changes_nothing(db):  # noqa: F811
    """The driver sends a write again when a dropped connection lost its answer (FerretDB
    killed mid-batch), and FerretDB, unlike MongoDB, does not know it did it: the offset each
    update writes guards it."""
    s = store(db)
    for _ in range(2):  # created, then "created" again
        await s.add({"t@0": {"a|x": 2}, "u@0": {"c|w": 1}}, 10)
    for _ in range(2):  # added to, then the same again, with and without the catalog's word
        await s.add({"t@0": {"a|x": 1}, "u@0": {"c|w": 5}}, 11, known={"t@0"})
    await s.add({"t@0": {"a|x": 1}, "u@0": {"c|w": 5}}, 11)
    assert await s.tallies(["t@0", "u@0"]) == {"t@0": {"a|x": 3}, "u@0": {"c|w": 6}}
    assert await s.offsets(["t@0", "u@0"]) == {"t@0": 11, "u@0": 11}


async def test_a_tally_inserted_meanwhile_is_updated_not_refused(db):  # noqa: F811
    """A tally that the existence check missed (its insert sent again) is updated under the
    guard instead of failing the batch on a duplicate key."""
    if db is None:
        pytest.skip("the driver's duplicate key is FerretDB's")
    from hssk_records.adapters.mongo_stats import _inserted_before

    s = store(db)
    await s.add({"t@0": {"a|x": 2}}, 10)
    doc = {"_id": "t@0", "counts": {"a|x": 2}, "offset": 10}
    taken = await _inserted_before(db["stats_tallies"], [doc, {**doc, "_id": "n@0"}])
    assert taken == {"t@0"}
    assert await s.tallies(["t@0", "n@0"]) == {"t@0": {"a|x": 2}, "n@0": {"a|x": 2}}


async def test_shares_are_inserted_then_replaced(db):  # noqa: F811
    s = store(db)
    await s.keep({"p1": PERSON}, {"01001:LK.7": VISIT})
    moved = PersonShare(version=4)  # merged away: counts nowhere
    await s.keep({"p1": moved, "p2": PERSON}, {})
    assert await s.people(["p1", "p2", "p3"]) == {"p1": moved, "p2": PERSON}
    assert await s.visits(["01001:LK.7", "x"]) == {"01001:LK.7": VISIT}


@pytest.mark.parametrize("n", [600])
async def test_a_large_batch_of_shares_round_trips(db, n):  # noqa: F811
    s = store(db)
    people = {f"p{i}": PERSON for i in range(n)}
    await s.keep(people, {})
    assert len(await s.people(list(people))) == n
