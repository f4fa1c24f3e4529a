"""The bulk import against the real FerretDB and Kafka: a generated list of ~2,000 citizens,
every row's outcome written once, PersonCreated on identity.person.v1, and a crash resumed."""

from __future__ import annotations

import asyncio
import csv
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hssk_cli import synth
from hssk_contracts import topics
from hssk_contracts.events import PersonCreated
from hssk_contracts.identifiers import match_keys
from hssk_contracts.visit import Identifier
from hssk_identity.bootstrap import build_index
from hssk_identity.bulk_import import importing as bulk_import
from hssk_identity.bulk_import.files import COLUMNS, outcomes_path
from hssk_identity.handlers import Query, resolve
from hssk_identity.registry import current_person
from hssk_kit import mongo
from hssk_kit.bus import Publisher
from tests.conftest import BOOTSTRAP, MONGO_URL

CITIZENS = 1_900


class Crash(Exception):
    pass


@pytest.fixture
async def index(engines_up, uid):
    """A fresh identity database for this test, dropped after it."""
    client, db = mongo.connect(MONGO_URL, f"hssk_test_import_{uid.lower()}")
    yield build_index(db)
    await client.drop_database(db.name)
    await client.close()


@pytest.fixture
async def publisher(engines_up):
    p = Publisher(BOOTSTRAP, "identity-import")
    await p.start()
    yield p
    await p.stop()


def write_list(path: Path, seed: int, citizens: int = CITIZENS) -> list[str]:
    """Synthetic citizens, then (shuffled) 5% of them again with a new card, to be linked, and
    1% with a mistyped personal ID, to be rejected. Returns the row ids in file order."""
    rng = random.Random(seed)
    people = synth.population(citizens, seed=seed)
    early = people[: citizens * 9 // 10]  # repeated well after the first time: no race
    again = [
        _row(f"again{i}", p, f"HN201{rng.randrange(10**10):010d}")
        for i, p in enumerate(rng.sample(early, citizens // 19))
    ]
    bad = [
        {**_row(f"bad{i}", p, p.bhyt), "cccd": p.cccd[:11]}
        for i, p in enumerate(rng.sample(people, citizens // 95))
    ]
    rows = [_row(f"c{i}", p, p.bhyt) for i, p in enumerate(people)]
    rows += rng.sample(again + bad, len(again) + len(bad))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return [r["row_id"] for r in rows]


def _row(row_id: str, p: synth.Citizen, card: str | None) -> dict[str, str]:
    return {
        "row_id": row_id,
        "name": p.name,
        "birth_date": p.birth.isoformat(),
        "sex": p.sex,
        "cccd": p.cccd,
        "bhyt": card or "",
        "cmnd": "",
        "phone": p.phone,
        "commune_code": p.commune_code,
        "address": p.address,
    }


def read_outcomes(path: Path) -> list[dict[str, str]]:
    with outcomes_path(path).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.timeout(900)  # ~2,000 rows on a busy 2-core FerretDB can take minutes
async def test_a_generated_list_is_imported_once_per_row(tmp_path, index, publisher, uid, tail):
    path = tmp_path / "bhyt.csv"
    row_ids = write_list(path, seed=int(uid, 16))
    persons = await tail(topics.IDENTITY_PERSON)

    started = time.perf_counter()
    ledger = await bulk_import.import_file(
        path, source=f"it-{uid}", index=index, publish=publisher.publish
    )
    seconds = time.perf_counter() - started
    print(
        f"\nbulk import: {len(row_ids)} rows in {seconds:.1f} s = "
        f"{len(row_ids) / seconds:.0f} rows/s; {ledger.summary()}"
    )

    outcomes = read_outcomes(path)
    assert [o["row_id"] for o in outcomes] == row_ids  # every row once, in file order
    by_outcome = {k: [o for o in outcomes if o["outcome"] == k] for k in ("linked", "rejected")}
    assert {o["row_id"] for o in by_outcome["rejected"]} == {f"bad{i}" for i in range(20)}
    assert all(o["reason"].startswith("cccd: cccd_format: ") for o in by_outcome["rejected"])
    assert {o["row_id"] for o in by_outcome["linked"]} >= {f"again{i}" for i in range(100)}
    assert all(o["person_id"] for o in outcomes if o["outcome"] != "rejected")
    created = {o["person_id"] for o in outcomes if o["outcome"] == "created"}
    assert len(created) >= CITIZENS - 10  # a few synthetic citizens may share a personal ID
    announced: set[str] = set()
    deadline = time.monotonic() + 30
    while not created <= announced and time.monotonic() < deadline:
        announced = {e.key for e in await persons.poll(0.5) if isinstance(e, PersonCreated)}
    assert created <= announced


@pytest.mark.timeout(900)
async def test_an_import_stopped_midway_resumes_without_doing_a_row_twice(
    tmp_path, index, publisher, uid
):
    path = tmp_path / "ward.csv"
    row_ids = write_list(path, seed=int(uid, 16) + 1, citizens=570)
    run = {"path": path, "source": f"it-{uid}", "index": index, "publish": publisher.publish}

    def crash_at_377(done: int) -> None:
        if done == 377:
            raise Crash

    with pytest.raises(Crash):
        await bulk_import.import_file(**run, checkpoint_every=100, after_row=crash_at_377)
    assert len(read_outcomes(path)) == 377
    ledger = await bulk_import.import_file(**run, checkpoint_every=100)

    outcomes = read_outcomes(path)
    assert [o["row_id"] for o in outcomes] == row_ids
    assert ledger.rows == len(row_ids)
    assert sum(o["outcome"] == "rejected" for o in outcomes) == 6
    restarted = await bulk_import.import_file(**run, restart=True)
    assert [(o["row_id"], o["person_id"]) for o in read_outcomes(path)] == [
        (o["row_id"], o["person_id"]) for o in outcomes
    ]
    assert restarted.summary().split()[:6] == ledger.summary().split()[:6]


@pytest.mark.timeout(900)
async def test_visits_registering_the_same_citizens_meanwhile_never_split_one(
    tmp_path, index, publisher, uid
):
    """Hospitals keep sending visits while a list is imported: some of those visits register
    the very citizens the import is about to store (the race `staging.store` resolves). However
    the two interleave, each citizen ends as one person holding all of its identifiers, and every
    identifier a person lists is held by that person."""
    path = tmp_path / "race.csv"
    write_list(path, seed=int(uid, 16) + 2, citizens=1_000)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    citizens = [r for r in rows if r["row_id"].startswith("c")]
    rng = random.Random(int(uid, 16))
    visited = rng.sample(citizens, 150)

    async def visits() -> None:
        for r in visited:
            identifiers = (Identifier(type="cccd", value=r["cccd"]),)
            if r["bhyt"]:
                identifiers += (Identifier(type="bhyt", value=r["bhyt"]),)
            query = Query(name=r["name"], identifiers=identifiers, birth_date=r["birth_date"])
            await resolve(
                query,
                create=True,
                cause=f"visit-{uid}-{r['row_id']}",
                source="visit",
                now=datetime.now(UTC),
                index=index,
                publish=publisher.publish,
            )
            await asyncio.sleep(rng.random() * 0.01)

    await asyncio.gather(
        bulk_import.import_file(
            path, source=f"it-{uid}", index=index, publish=publisher.publish, batch=100
        ),
        visits(),
    )

    for r in citizens:
        keys = match_keys([("cccd", r["cccd"])] + ([("bhyt", r["bhyt"])] if r["bhyt"] else []))
        holders = {await index.persons.owner_of(k) for k in keys}
        assert len(holders) == 1, f"{r['row_id']} split between {holders}"
        holder = await index.persons.get(holders.pop())
        assert holder is not None and not holder.merged_into
        assert set(keys) <= set(holder.match_keys)
        for key in holder.match_keys:
            assert await index.persons.owner_of(key) == holder.person_id
    outcomes = {o["row_id"]: o for o in read_outcomes(path)}
    for r in visited:  # the row and the visit are one person, whoever registered first
        owner = await index.persons.owner_of(f"cccd:{r['cccd']}")
        linked = await current_person(index.persons, outcomes[r["row_id"]]["person_id"])
        assert linked.person_id == owner
