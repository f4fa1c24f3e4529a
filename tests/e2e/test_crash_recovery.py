"""Zero loss, zero duplicates: while hospitals send a realistic mix (three formats, malformed
payloads, duplicates, corrected resends), the ingest worker is killed (SIGKILL) at random
moments and restarted. Every accepted visit must then reach the records exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
from collections import defaultdict

import pytest

from hssk_cli import procs, stack
from hssk_cli.paths import Layout, repo_root
from hssk_cli.simulate import simulate
from hssk_contracts import topics

pytestmark = pytest.mark.usefixtures("platform_up")
KILLS = 3


async def kill_and_restart(layout: Layout, rng: random.Random) -> None:
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        pid = procs.pid_of(layout, "ingest-emr")
        assert pid, "ingest-emr is not running"
        os.killpg(pid, signal.SIGKILL)  # no goodbye: the batch in flight is never committed
        await asyncio.to_thread(procs.stop, layout, "ingest-emr")  # reap, drop the pid file
        await asyncio.to_thread(stack.start_services, layout, ["ingest-emr"])


async def test_killing_ingest_at_random_loses_and_duplicates_nothing(tail, tmp_path):
    layout = Layout(repo_root())
    changes, dlq = await tail(topics.RECORDS_CHANGE), await tail(topics.EMR_VISIT_DLQ)
    seed = random.randrange(10**6)
    truth_path = tmp_path / "truth.jsonl"
    sending = asyncio.create_task(
        simulate(
            stack.BOOTSTRAP,
            facilities=5,
            rate=60,
            total=600,
            mix={"json": 0.5, "xml": 0.3, "fhir": 0.2},
            malformed=0.03,
            duplicates=0.05,
            corrections=0.03,
            seed=seed,
            citizens=300,
            truth_path=truth_path,
        )
    )
    await kill_and_restart(layout, random.Random(seed))
    summary = await sending
    assert summary.failed == 0

    truth = [json.loads(line) for line in truth_path.read_text().splitlines()]
    accepted = {t["key"] for t in truth if t["kind"] == "visit"}
    corrected = {t["key"] for t in truth if t["kind"] == "correction"}
    malformed = {t["key"] for t in truth if t["kind"] == "malformed"}

    def added(e) -> bool:
        return e.data.change == "visit_added" and e.data.visit_key in accepted

    for _ in range(120):  # bounded wait for the pipeline to drain
        await changes.poll(1.0)
        if {e.data.visit_key for e in changes.events if added(e)} >= accepted:
            break
    ids_by_key: dict[str, set[str]] = defaultdict(set)
    for e in changes.events:
        if e.data.change == "visit_added":
            ids_by_key[e.data.visit_key].add(e.event_id)
    missing = accepted - set(ids_by_key)
    assert not missing, f"{len(missing)} accepted visits never reached the records, seed={seed}"
    twice = {k: ids for k, ids in ids_by_key.items() if k in accepted and len(ids) > 1}
    assert not twice, f"visits added more than once: {list(twice)[:5]}, seed={seed}"
    revised = {e.data.visit_key for e in changes.events if e.data.change == "visit_revised"}
    assert corrected <= revised | missing, f"corrections not applied: {corrected - revised}"
    assert not malformed & set(ids_by_key), "a malformed payload reached the records"
    await dlq.poll(2.0)
    dead = {e.data.source_key for e in dlq.events}
    assert malformed <= dead, f"malformed not dead-lettered: {list(malformed - dead)[:5]}"
