"""Statistics figures: folding record changes into the statistics by one worker (the real fold
and adapters on FerretDB; fresh changes, then the same changes replayed), with a raw bound in
the same run (the same records read by `_id`); the answers' latency with a city of 1,000,000
citizens folded in (the API's use cases and JSON, in process); and, on the running stack, how
long a record change takes to show in the figures."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaConsumer

from hssk_cli import city, stack, synth, watch
from hssk_contracts import codec, topics
from hssk_contracts.events import RecordChanged
from hssk_kit import devtokens, mongo
from hssk_kit.auth import Principal
from hssk_records import statistics_read as read
from hssk_records.adapters import mongo as adapters
from hssk_records.adapters.mongo_stats import MongoStatsStore
from hssk_records.domain.changes import announcement
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.events import RecordEvent, apply
from hssk_records.domain.stats import icd10
from hssk_records.domain.stats.disclosure import Policy
from hssk_records.domain.stats.journal import Catalog, tally_id
from hssk_records.domain.stats.shares import PersonShare
from hssk_records.domain.template import FIELDS
from hssk_records.statistics_fold import fold
from hssk_records.statistics_read import StatsView
from hssk_records.writing import Stores

PARTITIONS = topics.RECORDS_CHANGE.partitions
BATCH = 500
LEADER = Principal(subject="bench-leader", role="leader")
KEYS = (
    "stats_fold_changes",
    "stats_fold_per_s",
    "stats_replay_per_s",
    "stats_raw_read_per_s",
    "ratio_stats_fold_to_raw_read",
    "stats_city_citizens",
    "stats_load_and_rebuild_s",
    "stats_tables_rebuild_s",
    "stats_people_rebuild_s",
    "stats_query_cold_max_ms",
    "stats_query_p50_ms",
    "stats_query_p99_ms",
    "stats_visible_p50_s",
    "stats_visible_max_s",
)
TABLE = """  statistics, one worker: {stats_fold_changes:,.0f} record changes folded
    fresh changes                           {stats_fold_per_s:>10,.0f} /s
    the same changes replayed               {stats_replay_per_s:>10,.0f} /s
    raw read of the records by _id          {stats_raw_read_per_s:>10,.0f} /s  \
(fold / raw: {ratio_stats_fold_to_raw_read:.2f})
  statistics answers, {stats_city_citizens:,.0f} citizens folded in
    first load (tallies read, all rebuilt)  {stats_load_and_rebuild_s:>10,.1f} s
    rebuilt after a change: completeness    {stats_tables_rebuild_s:>10,.1f} s
                            conditions      {stats_people_rebuild_s:>10,.1f} s
    a question never asked before (max)     {stats_query_cold_max_ms:>10,.1f} ms
    an answer, p50 / p99 (served prepared)  {stats_query_p50_ms:>10,.2f} / \
{stats_query_p99_ms:,.2f} ms
  a record change visible in the figures, running stack
    p50 / max                               {stats_visible_p50_s:>10,.1f} / \
{stats_visible_max_s:,.1f} s
"""


async def fold_rate(people: int = 10_000) -> dict[str, float]:
    client, db = mongo.connect(stack.MONGO_URL, f"hssk_bench_stats_{uuid.uuid4().hex[:6]}")
    try:
        changes = await _load_records(db, people)
        stores = Stores(adapters.MongoRecordRepository(db), adapters.MongoEventLog(db),
                        adapters.MongoEncounterStore(db))  # fmt: skip
        stats = MongoStatsStore(db)
        fresh = await _fold_all(changes, stats, stores, first_offset=0)
        replay = await _fold_all(changes, stats, stores, first_offset=len(changes))
        started = time.perf_counter()
        ids = [c.data.person_id for c in changes]
        for start in range(0, len(ids), BATCH):
            await db["records"].find({"_id": {"$in": ids[start : start + BATCH]}}).to_list(None)
        raw = len(ids) / (time.perf_counter() - started)
    finally:
        await client.drop_database(db.name)
        await client.close()
    return {
        "stats_fold_changes": len(changes),
        "stats_fold_per_s": fresh,
        "stats_replay_per_s": replay,
        "stats_raw_read_per_s": raw,
        "ratio_stats_fold_to_raw_read": fresh / raw,
    }


async def _load_records(db, people: int) -> list[RecordChanged]:
    town, rng, now = city.City.of(seed=7, wards=40), random.Random(7), datetime.now(UTC)
    changes, records, encounters = [], [], []
    for i, citizen in enumerate(town.citizens(people)):
        visit = town.visits(citizen, rng, now=now, count=1, prefix=f"B{i}")[0]
        event = RecordEvent(person_id=str(uuid.uuid4()), version=1, at=now, change="visit_added",
                            cause=f"bench-{i}", by=visit.facility_code, visit=visit,
                            content_hash="bench")  # fmt: skip
        record = apply(None, event)
        records.append({"_id": record.person_id, **adapters.record_doc(record)})
        stored = StoredEncounter(key=visit.key, person_id=record.person_id, revision=1,
                                 content_hash="bench", applied_version=1, visit=visit)  # fmt: skip
        encounters.append({"_id": visit.key, **stored.model_dump(mode="json")})
        changes.append(announcement(record, event, now))
    for start in range(0, people, 1000):
        await db["records"].insert_many(records[start : start + 1000])
        await db["encounters"].insert_many(encounters[start : start + 1000])
    return changes


async def _fold_all(changes, stats, stores, first_offset: int) -> float:
    by_partition: dict[int, list] = {p: [] for p in range(PARTITIONS)}
    for i, change in enumerate(changes):
        by_partition[i % PARTITIONS].append(change)
    started = time.perf_counter()

    async def one(partition: int, mine: list) -> None:  # as the loop folds its partitions
        base = first_offset // PARTITIONS
        for start in range(0, len(mine), BATCH):
            batch = [(base + start + j, c) for j, c in enumerate(mine[start : start + BATCH])]
            await fold(batch, partition, stats=stats, stores=stores)

    await asyncio.gather(*(one(p, mine) for p, mine in by_partition.items()))
    return len(changes) / (time.perf_counter() - started)


async def query_latency(citizens: int = 1_000_000, calls: int = 50) -> dict[str, float]:
    client, db = mongo.connect(stack.MONGO_URL, f"hssk_bench_stats_{uuid.uuid4().hex[:6]}")
    try:
        store = MongoStatsStore(db)
        await _write_city(store, citizens)
        view = StatsView(store, PARTITIONS, Policy(), lambda: datetime.now(UTC))
        started = time.perf_counter()
        await view.refresh()
        rebuild = time.perf_counter() - started
        docs = {doc for doc in view.counted_docs()}
        t0 = time.perf_counter()
        await asyncio.to_thread(view._tables, {d for d in docs if d.startswith("completeness|")})
        tables_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        await asyncio.to_thread(view._people, {"population|79"}, datetime.now(UTC).year)
        people_s = time.perf_counter() - t0
        asks = [
            lambda: read.completeness(view, LEADER, "ward"),
            lambda: read.completeness(view, LEADER, "province"),
            lambda: read.conditions(view, LEADER, "ward", "*", "*"),
            lambda: read.conditions(view, LEADER, "province", "female", "60-79"),
            lambda: read.visits(view, LEADER, "ward", "2026-W37", "2026-W48"),
        ]
        cold = []
        for ask in asks:  # the first answer after the figures changed: computed
            t0 = time.perf_counter()
            json.dumps(ask(), ensure_ascii=False)
            cold.append((time.perf_counter() - t0) * 1000)
        times = []
        for _ in range(calls):  # the same figures again: as the API serves them, cached
            for ask in asks:
                t0 = time.perf_counter()
                view.cached(id(ask), ask)
                times.append((time.perf_counter() - t0) * 1000)
    finally:
        await client.drop_database(db.name)
        await client.close()
    times.sort()
    return {
        "stats_city_citizens": citizens,
        "stats_load_and_rebuild_s": rebuild,
        "stats_tables_rebuild_s": tables_s,
        "stats_people_rebuild_s": people_s,
        "stats_query_cold_max_ms": max(cold),
        "stats_query_p50_ms": statistics.median(times),
        "stats_query_p99_ms": times[int(len(times) * 0.99) - 1],
    }


async def _write_city(store: MongoStatsStore, citizens: int) -> None:
    """The tallies a city's shares make (as folding them would), written per partition."""
    town, rng = city.City.of(seed=11), random.Random(11)
    fields = [f for f, _ in FIELDS]
    tallies: dict[int, dict[str, Counter[str]]] = {p: {} for p in range(PARTITIONS)}
    for i, c in enumerate(town.citizens(citizens)):
        filled = min(46, 20 + int(c.declares * 27))
        conditions = tuple(sorted(icd10.conditions(list(c.conditions))))
        share = PersonShare(version=1, ward=c.commune_code, sex=c.sex, birth_year=c.birth.year,
                            filled=filled, total=46, missing=tuple(fields[filled:]),
                            conditions=conditions)  # fmt: skip
        cells = share.cells()
        week = f"2026-W{37 + rng.randrange(12)}"
        chapter = rng.choice(("X", "X", "XI", "IX", "XIII", "XIX", "IV", "XXI"))
        cells[f"visits|{week}"] = [f"{c.commune_code}|{chapter}"]
        mine = tallies[i % PARTITIONS]
        for doc, keys in cells.items():
            mine.setdefault(doc, Counter()).update(keys)
    for p, docs in tallies.items():
        ids = {tally_id(doc, p): dict(counts) for doc, counts in docs.items()}
        await store.add(ids, 1)
        await store.save_catalog(
            Catalog(p, 1, datetime.now(UTC).isoformat(), dict.fromkeys(ids, 1))
        )


async def visible_s(keys_dir, rounds: int = 5) -> dict[str, float]:
    private, _ = devtokens.ensure_keys(keys_dir)
    leader = {"Authorization": f"Bearer {devtokens.mint(private, role='leader')}"}
    url = f"{stack.BY_NAME['records'].url}/v1/stats/completeness?level=city"
    consumer = await watch.change_watcher(stack.BOOTSTRAP)
    waits = []
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(rounds):
                rng = random.Random()
                v = synth.visit(
                    synth.citizen(rng), rng, visit_id=f"BENCH-VISIBLE-{uuid.uuid4().hex}"
                )
                await watch.publish_visits(stack.BOOTSTRAP, [synth.submitted(v)])
                change = await _change_for(consumer, v.key)
                while True:
                    fresh = (await http.get(url, headers=leader)).json()["fresh_as_of"]
                    if fresh and datetime.fromisoformat(fresh) >= change.occurred_at:
                        break
                    await asyncio.sleep(0.05)
                waits.append((datetime.now(UTC) - change.occurred_at).total_seconds())
    finally:
        await consumer.stop()
    return {"stats_visible_p50_s": statistics.median(waits), "stats_visible_max_s": max(waits)}


async def _change_for(consumer: AIOKafkaConsumer, key: str) -> RecordChanged:
    while True:
        for msgs in (await consumer.getmany(timeout_ms=500)).values():
            for m in msgs:
                event = codec.decode_as(RecordChanged, topics.RECORDS_CHANGE.name, m.value)
                if event.data.visit_key == key:
                    return event
