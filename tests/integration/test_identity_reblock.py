"""`hssk identity reblock` on the real FerretDB: persons registered under older blocking rules
(their newer keys missing) are found by the newer rules afterwards, each key lists a person
once however often it runs, and the command itself resumes after a given person id."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest

from hssk_identity import maintenance
from hssk_identity.bootstrap import build_index
from hssk_identity.domain import matching
from hssk_identity.handlers import Query, resolve
from hssk_kit import mongo
from tests.conftest import MONGO_URL

NOW = datetime(2026, 12, 7, tzinfo=UTC)
NEWER = ("fd:", "di:", "nc:")  # the keys added on 7 Dec 2026


@pytest.fixture
async def db(engines_up, uid):
    client, database = mongo.connect(MONGO_URL, f"hssk_test_reblock_{uid.lower()}")
    yield database
    await client.drop_database(database.name)
    await client.close()


async def _discard(topic, event):
    return None


async def test_persons_registered_before_a_rule_are_found_by_it_after_reblock(db):
    index = build_index(db)
    people = [
        Query(name=f"Trần Văn {given}", birth_date=f"1990-05-{day:02d}", sex="male",
              commune_code="00001")
        for day, given in enumerate(("Hùng", "Dũng", "Nam", "Tuấn", "Bình"), start=1)
    ]  # fmt: skip
    ids = []
    for i, q in enumerate(people):
        found = await resolve(q, create=True, cause=f"c{i}", source="t", now=NOW, index=index,
                              publish=_discard)  # fmt: skip
        ids.append(found.person_id)
    await db["blocks"].delete_many({"_id": {"$regex": "^(fd|di|nc):"}})  # as registered before
    typo = Query(name="Trần Văn Hùnng", birth_date="1990-05-01", sex="male")
    keys = matching.blocking_keys(typo.demographics())
    assert ids[0] not in await index.blocks.members(keys, 200)

    seen: list[tuple[int, str]] = []
    assert (
        await maintenance.reblock(index, batch=2, progress=lambda n, last: seen.append((n, last)))
        == 5
    )
    assert [n for n, _ in seen] == [2, 4, 5] and seen[-1][1] == max(ids)
    assert ids[0] in await index.blocks.members(keys, 200)
    await maintenance.reblock(index, progress=lambda n, last: None)  # again: nothing doubles
    async for block in db["blocks"].find({}):
        assert len(block["person_ids"]) == len(set(block["person_ids"])), block["_id"]


def test_the_command_reports_and_resumes(engines_up):
    out = subprocess.run(
        [".venv/bin/hssk", "identity", "reblock", "--after", "\uffff"],  # after every id
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "REBLOCK persons=0" in out.stdout
