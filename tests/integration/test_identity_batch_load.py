"""`hssk identity link-batch LIST --load` on the running stack: a synthetic list deduplicated by
Splink, one person per cluster loaded through the registry (the bulk import), every cluster
with an outcome, identifiers held once, and the new persons announced on identity.person.v1."""

from __future__ import annotations

import asyncio
import csv
import time

from hssk_contracts import topics
from hssk_contracts.events import PersonCreated


async def test_a_list_is_clustered_and_loaded_as_persons(tmp_path, platform_up, uid, tail):
    listed = tmp_path / f"ward-{uid}.csv"
    persons = await tail(topics.IDENTITY_PERSON)
    command = await asyncio.create_subprocess_exec(
        ".venv/bin/hssk", "identity", "link-batch", str(listed), "--load", "--generate", "800",
        "--seed", str(int(uid, 16) % 100_000),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(command.communicate(), timeout=300)
    assert command.returncode == 0, stderr.decode()[-2000:]
    shown = stdout.decode()
    assert "BATCH rows=800 " in shown and "IMPORT" in shown
    with listed.with_suffix(".clusters.csv").open() as f:
        clusters = {r["cluster"] for r in csv.DictReader(f)}
    assert 300 < len(clusters) < 800  # duplicates found
    with listed.with_suffix(".persons.csv").open() as f:
        loaded = list(csv.DictReader(f))
    assert {r["row_id"] for r in loaded} == clusters  # one person row per cluster
    cccds = [r["cccd"] for r in loaded if r["cccd"]]
    assert len(cccds) == len(set(cccds))  # a personal ID held by one person only
    outcomes_file = listed.with_suffix(".persons.csv")
    with outcomes_file.with_name(outcomes_file.name + ".outcomes.csv").open() as f:
        outcomes = list(csv.DictReader(f))
    assert sorted(o["row_id"] for o in outcomes) == sorted(clusters)
    assert not [o for o in outcomes if o["outcome"] == "rejected"]
    created = {o["person_id"] for o in outcomes if o["outcome"] == "created"}
    # A new synthetic population: mostly new people. The rest are clusters the batch left apart
    # for a reviewer, which the online matcher asks about again (review) or joins (linked).
    assert len(created) > 0.8 * len(clusters)
    assert {o["outcome"] for o in outcomes} <= {"created", "linked", "review"}
    announced: set[str] = set()
    deadline = time.monotonic() + 30
    while not created <= announced and time.monotonic() < deadline:
        announced |= {e.key for e in await persons.poll(0.5) if isinstance(e, PersonCreated)}
    assert created <= announced
