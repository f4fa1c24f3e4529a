"""Zero loss, zero duplicates, whatever dies: while hospitals send a realistic mix (three formats,
malformed payloads, duplicates, corrected resends), one part of the platform is killed with
SIGKILL at random moments and started again: each worker (ingest-emr, identity, records,
notify), the Kafka broker, FerretDB. Then everything is reconciled against what the broker
acknowledged: every accepted visit reached the records exactly once, corrections applied,
malformed payloads dead-lettered, each citizen one person, and every citizen with something
to complete reminded, each reminder under one event id."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import pytest

from hssk_cli import engines, procs, stack
from hssk_cli.paths import Layout, repo_root
from hssk_cli.simulate import simulate
from hssk_contracts import topics
from hssk_kit import mongo
from tests.conftest import MONGO_URL
from tests.e2e.test_statistics import STATS_GROUP, caught_up

pytestmark = pytest.mark.usefixtures("platform_up")
WORKERS = ["ingest-emr", "identity", "records", "notify"]
ENGINES = ["kafka", "ferretdb"]


async def kill(layout: Layout, name: str) -> None:
    pid = procs.pid_of(layout, name)
    assert pid, f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)  # no goodbye: whatever is in flight is never committed
    await asyncio.to_thread(procs.stop, layout, name)  # reap, drop the pid file


async def start(layout: Layout, name: str) -> None:
    if name == "kafka":
        await asyncio.to_thread(engines.start_kafka, layout)
    elif name == "ferretdb":
        await asyncio.to_thread(engines.start_ferretdb, layout)
    else:
        await asyncio.to_thread(stack.start_services, layout, [name])


async def kill_and_restart(layout: Layout, target: str, rng: random.Random) -> None:
    for _ in range(3 if target in WORKERS else 1):
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        await kill(layout, target)
        if target in ENGINES:
            await asyncio.sleep(rng.uniform(1.0, 3.0))  # an outage, not only a restart
        await start(layout, target)


async def supervise(layout: Layout) -> list[str]:
    """What Kubernetes does for a pod whose process exited: start it again. Returns who."""
    down = [s.name for s in stack.SERVICES if not procs.pid_of(layout, s.name)]
    for name in down:
        await start(layout, name)
    return down


def delivered(truth_path: Path) -> list[dict]:
    lines = [json.loads(line) for line in truth_path.read_text().splitlines()]
    return [t for t in lines if t["delivered"]]


async def drain(changes, accepted: set[str], corrected: set[str] = frozenset()) -> None:
    """Until every accepted visit was added and every correction applied (a correction sent
    just before an outage may come through well after the last visit)."""
    for _ in range(150):  # bounded wait for the pipeline to drain
        await changes.poll(1.0)
        added = {e.data.visit_key for e in changes.events if e.data.change == "visit_added"}
        revised = {e.data.visit_key for e in changes.events if e.data.change == "visit_revised"}
        if added >= accepted and revised >= corrected & accepted:
            return


@pytest.mark.parametrize("target", WORKERS + ENGINES)
async def test_killing_at_random_loses_and_duplicates_nothing(target, tail, tmp_path):
    layout = Layout(repo_root())
    changes, dlq = await tail(topics.RECORDS_CHANGE), await tail(topics.EMR_VISIT_DLQ)
    reminders = await tail(topics.NOTIFY_REMINDER)
    seed = random.randrange(10**6)
    truth_path = tmp_path / "truth.jsonl"
    sending = asyncio.create_task(
        simulate(stack.BOOTSTRAP, facilities=5, rate=60, total=500,
                 mix={"json": 0.5, "xml": 0.3, "fhir": 0.2}, malformed=0.03, duplicates=0.05,
                 corrections=0.03, seed=seed, citizens=250, truth_path=truth_path)
    )  # fmt: skip
    await kill_and_restart(layout, target, random.Random(seed))
    await sending
    restarted = await supervise(layout)
    truth = delivered(truth_path)
    accepted = {t["key"] for t in truth if t["kind"] == "visit"}
    await drain(changes, accepted, {t["key"] for t in truth if t["kind"] == "correction"})
    where = f"target={target} seed={seed} restarted={restarted}"

    ids_by_key: dict[str, set[str]] = defaultdict(set)
    persons_by_citizen: dict[str, set[str]] = defaultdict(set)
    citizen_of = {t["key"]: t["citizen"] for t in truth}
    for e in changes.events:
        if e.data.change == "visit_added":
            ids_by_key[e.data.visit_key].add(e.event_id)
            if e.data.visit_key in citizen_of:
                persons_by_citizen[citizen_of[e.data.visit_key]].add(e.data.person_id)
    missing = accepted - set(ids_by_key)
    assert not missing, f"{len(missing)} accepted visits never reached the records, {where}"
    twice = {k: ids for k, ids in ids_by_key.items() if k in accepted and len(ids) > 1}
    assert not twice, f"visits added more than once: {list(twice)[:5]}, {where}"
    split = {c: p for c, p in persons_by_citizen.items() if len(p) > 1}
    assert not split, f"citizens split into two persons: {list(split.items())[:3]}, {where}"
    corrected = {t["key"] for t in truth if t["kind"] == "correction"}
    revised = {e.data.visit_key for e in changes.events if e.data.change == "visit_revised"}
    assert corrected <= revised | missing, f"corrections not applied: {corrected - revised}"
    malformed = {t["key"] for t in truth if t["kind"] == "malformed"}
    assert not malformed & set(ids_by_key), "a malformed payload reached the records"
    await dlq.poll(2.0)
    dead = {e.data.source_key for e in dlq.events}
    assert malformed <= dead, f"malformed not dead-lettered: {list(malformed - dead)[:5]}"
    await _everyone_reminded_once(changes.events, reminders, where)
    await _all_ready(where)
    await _statistics_reconcile(where)


async def _everyone_reminded_once(changes: list, reminders, where: str) -> None:
    expected = {
        e.data.person_id
        for e in changes
        if {"blood_group", "height", "weight"} & set(e.data.completeness.missing)
    }
    for _ in range(60):
        await reminders.poll(1.0)
        reminded = {
            r.data.person_id for r in reminders.events if r.data.kind == "incomplete_profile"
        }
        if expected <= reminded:
            break
    assert expected <= reminded, f"{len(expected - reminded)} citizens never reminded, {where}"
    ids: dict[tuple, set[str]] = defaultdict(set)
    for r in reminders.events:  # one event per reminder, what happened and (if planned) when
        ids[(r.data.reminder_id, r.type, getattr(r.data, "due_at", None))].add(r.event_id)
    assert all(len(v) == 1 for v in ids.values()), f"a reminder under two event ids, {where}"
    sent = Counter(r.data.reminder_id for r in {r.event_id: r for r in reminders.events}.values()
                   if r.type == "ReminderSent")  # fmt: skip
    assert all(n == 1 for n in sent.values()), f"a reminder sent twice, {where}"


async def _statistics_reconcile(where: str) -> None:
    """The statistics count every living record and every visit exactly once, whatever died."""
    await caught_up(STATS_GROUP, topics.RECORDS_CHANGE.name)
    client, db = mongo.connect(MONGO_URL, "hssk_records")
    try:
        for _ in range(60):  # the last changes of merges and declarations may still be folding
            counts = await _stats_against_records(db)
            if counts[0] == counts[1] and counts[2] == counts[3]:
                return
            await asyncio.sleep(1)
    finally:
        await client.close()
    raise AssertionError(f"statistics (citizens, visits) {counts[1::2]} != records "
                         f"{counts[0::2]}, {where}")  # fmt: skip


async def _stats_against_records(db) -> tuple[int, int, int, int]:
    living = await db["records"].count_documents({"merged_into": None})
    visits = await db["encounters"].count_documents({})
    tallies = await db["stats_tallies"].find({}).to_list(None)
    cells = [(t["_id"], k, n) for t in tallies for k, n in t.get("counts", {}).items()]
    citizens = sum(n for doc, k, n in cells if doc.startswith("completeness|") and
                   k.endswith("|citizens"))  # fmt: skip
    counted = sum(n for doc, _, n in cells if doc.startswith("visits|"))
    return living, citizens, visits, counted


async def _all_ready(where: str) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(60):
            answers = [await http.get(f"{s.url}/readyz") for s in stack.SERVICES]
            if all(a.status_code == 200 for a in answers):
                return
            await asyncio.sleep(1)
    raise AssertionError(f"not every service ready again, {where}")
