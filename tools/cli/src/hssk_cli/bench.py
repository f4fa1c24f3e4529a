"""`hssk bench`: end-to-end visits/s and latency through the running pipeline, measured beside
raw Kafka and raw MongoDB-protocol bounds on the same machine in the same run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from pymongo import AsyncMongoClient

from hssk_cli import (
    bench_identity,
    bench_ingest,
    bench_notify,
    bench_records,
    bench_stats,
    stack,
    synth,
)
from hssk_cli.paths import Layout
from hssk_contracts import codec, topics
from hssk_kit import runtime
from hssk_kit.mongo import upsert_by_id

RAW_TOPIC = "bench.raw.v1"
READ_CITIZENS = 100_000
PACED_VISITS, PACED_RATE = 600, 20.0  # well below the end-to-end rate measured here
RAW_PARTITIONS = 6
MONGO_CONCURRENCY = 64
POPULATION_SEED = 7
# The settings of hssk_kit.bus.Publisher, which every service publishes with.
PRODUCER = {"acks": "all", "enable_idempotence": True, "linger_ms": 5, "max_batch_size": 262144}

Payload = tuple[str, bytes]  # (visit key, encoded VisitSubmitted)


def run(layout: Layout, *, visits: int, citizens: int) -> int:
    stack.up(layout)
    runtime.tune_gc()  # per-worker figures are measured here: tuned as the services are
    started_at = datetime.now(UTC)
    payloads = build_payloads(visits, citizens, run_id=uuid.uuid4().hex[:10])
    try:
        result = asyncio.run(measure_all(payloads))
    except asyncio.CancelledError:
        print("hssk bench: interrupted; scratch topic and collection removed", file=sys.stderr)
        return 1
    machine = {"nproc": os.cpu_count(), "python": platform.python_version()}
    result.update(
        visits=visits, citizens=citizens, started_at=started_at.isoformat(), machine=machine
    )
    result["settled_after_s"] = asyncio.run(settled())  # the per-worker figures on a quiet stack
    result.update(asyncio.run(bench_ingest.measure(stack.BOOTSTRAP, 2000)))
    result.update(asyncio.run(bench_identity.measure(2000)))
    result.update(asyncio.run(measure_records()))
    result.update(
        bench_records.read_latency(
            asyncio.run(bench_records.load_records(READ_CITIZENS)), layout.keys
        )
    )
    result["records_loaded_citizens"] = READ_CITIZENS
    result.update(asyncio.run(measure_notify()))
    result.update(asyncio.run(bench_notify.reaction_ms(layout.keys)))
    result.update(asyncio.run(bench_stats.fold_rate()))
    result.update(asyncio.run(bench_stats.query_latency()))
    result.update(asyncio.run(bench_stats.visible_s(layout.keys)))
    print_table(result)
    print(
        SERVICE_TABLE.format(
            **result,
            **{
                fmt: result[f"ingest_decode_validate_publish_{fmt}_per_s"]
                for fmt in ("json", "qd130", "fhir")
            },
        )
    )
    print(RECORDS_TABLE.format(**{k: result.get(k, float("nan")) for k in RECORDS_KEYS}))
    print(bench_notify.TABLE.format(**{k: result.get(k, float("nan")) for k in bench_notify.KEYS}))
    print(bench_stats.TABLE.format(**{k: result.get(k, float("nan")) for k in bench_stats.KEYS}))
    write_results(layout, result, started_at)
    return 1 if result["missing"] or result["paced_missing"] else 0


def build_payloads(visits: int, citizens: int, run_id: str) -> list[Payload]:
    people = synth.population(citizens, seed=POPULATION_SEED)
    rng = random.Random(run_id)
    now = datetime.now(UTC)
    out = []
    for i in range(visits):
        v = synth.visit(
            people[i % citizens], rng, now=now, visit_id=f"BENCH{run_id}{i:07d}".upper()
        )
        out.append((v.key, codec.encode(synth.submitted(v))))
    return out


async def measure_all(payloads: list[Payload]) -> dict:
    # SIGTERM cancels as Ctrl-C does, so the scratch topic and collection are still removed.
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    # Raw bounds first: a pipeline still draining a timed-out e2e run would load the engines.
    result = await measure_raw_kafka(payloads)
    result.update(await measure_raw_mongo(payloads))
    result.update(await measure_e2e(payloads))
    # Latency as a hospital sees it: a steady load below capacity, not one burst's queue.
    paced = build_payloads(PACED_VISITS, PACED_VISITS, run_id=uuid.uuid4().hex[:10])
    steady = await measure_e2e(paced, rate=PACED_RATE)
    result.update({f"paced_{k}": v for k, v in steady.items()}, paced_rate=PACED_RATE)
    result["ratio_e2e_to_raw_kafka"] = result["e2e_visits_per_s"] / result["raw_kafka_msgs_per_s"]
    result["ratio_e2e_to_raw_upserts"] = result["e2e_visits_per_s"] / result["raw_upserts_per_s"]
    return result


# ---- end to end ---------------------------------------------------------------------------------
async def measure_e2e(payloads: list[Payload], rate: float | None = None) -> dict:
    wanted = {key for key, _ in payloads}
    seen: dict[str, int] = {}  # visit_key -> RecordChanged timestamp (ms)
    consumer = await tail_consumer(topics.RECORDS_CHANGE.name)
    collector = asyncio.create_task(collect_changes(consumer, wanted, seen))
    try:
        sent = await publish(topics.EMR_VISIT.name, payloads, rate)
        await wait_for_all(seen, len(wanted), timeout_s=max(120.0, len(payloads) / 200))
    finally:
        collector.cancel()
        await asyncio.gather(collector, return_exceptions=True)
        await consumer.stop()
    latencies = sorted(seen[k] - sent[k] for k in seen)
    span_s = (max(seen.values()) - min(sent.values())) / 1000 if seen else float("inf")
    return {
        "e2e_visits_per_s": len(seen) / span_s,
        "e2e_seconds": span_s,
        "missing": len(wanted) - len(seen),
        **{f"latency_p{p}_ms": percentile(latencies, p) for p in (50, 95, 99)},
    }


async def tail_consumer(topic: str) -> AIOKafkaConsumer:
    """A group-less consumer on every partition of `topic`, positioned at the current end."""
    parts = [TopicPartition(topic, p) for p in range(await partition_count(topic))]
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.BOOTSTRAP, enable_auto_commit=False)
    await consumer.start()
    consumer.assign(parts)
    for tp, offset in (await consumer.end_offsets(parts)).items():
        consumer.seek(tp, offset)
    return consumer


async def collect_changes(
    consumer: AIOKafkaConsumer, wanted: set[str], seen: dict[str, int]
) -> None:
    while True:
        for records in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
            for r in records:
                event = json.loads(r.value)
                key = event.get("data", {}).get("visit_key")
                if event.get("type") == "RecordChanged" and key in wanted and key not in seen:
                    seen[key] = r.timestamp


async def publish(
    topic: str, payloads: list[Payload], rate: float | None = None
) -> dict[str, float]:
    """Send everything, as fast as the producer accepts it or at `rate` a second; return
    key -> send time (ms)."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.BOOTSTRAP, **PRODUCER)
    await producer.start()
    try:
        sent: dict[str, float] = {}
        deliveries = []
        started = time.monotonic()
        for i, (key, value) in enumerate(payloads):
            if rate:
                await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            sent[key] = time.time() * 1000
            deliveries.append(await producer.send(topic, value, key=key.encode()))
        await asyncio.gather(*deliveries)
        return sent
    finally:
        await producer.stop()


async def wait_for_all(seen: dict, total: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    next_report = time.monotonic() + 5
    while len(seen) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        if time.monotonic() >= next_report:
            print(f"hssk bench: {len(seen)}/{total} visits applied …", file=sys.stderr)
            next_report += 5


def percentile(ordered: Sequence[float], p: float) -> float | None:
    if not ordered:
        return None
    return float(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))])


# ---- raw bounds ---------------------------------------------------------------------------------
async def measure_raw_kafka(payloads: list[Payload]) -> dict:
    n = len(payloads)
    async with scratch_topic(RAW_TOPIC, RAW_PARTITIONS):
        consumer = await tail_consumer(RAW_TOPIC)  # positioned before we produce: reads only ours
        started = time.perf_counter()
        await publish(RAW_TOPIC, payloads)
        produced = time.perf_counter()
        await consume_count(consumer, n)
        consumed = time.perf_counter()
    return {
        "raw_kafka_msgs_per_s": n / (consumed - started),
        "raw_kafka_produce_per_s": n / (produced - started),
        "raw_kafka_consume_per_s": n / (consumed - produced),
    }


async def consume_count(consumer: AIOKafkaConsumer, n: int, timeout_s: float = 120) -> None:
    got, deadline = 0, time.monotonic() + timeout_s
    try:
        while got < n and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            got += sum(len(records) for records in batches.values())
    finally:
        await consumer.stop()
    if got < n:
        raise SystemExit(f"hssk bench: read back only {got}/{n} raw Kafka messages")


@contextlib.asynccontextmanager
async def kafka_admin() -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.BOOTSTRAP)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def partition_count(topic: str, timeout_s: float = 30) -> int:
    """How many partitions `topic` has, waiting for a just-created topic to show them."""
    deadline = time.monotonic() + timeout_s
    async with kafka_admin() as admin:
        while True:
            described = await admin.describe_topics([topic])
            parts = described[0]["partitions"] if described else []
            if parts and all(p["leader"] >= 0 for p in parts):
                return len(parts)
            if time.monotonic() > deadline:
                raise SystemExit(f"hssk bench: topic {topic} has no partitions")
            await asyncio.sleep(0.2)


async def settled(timeout_s: float = 600) -> float:
    """Wait (bounded) until every consumer group has caught up with its topics, so that what the
    end-to-end figures left behind (notify sending a reminder for each of their citizens, the
    statistics folding their changes) is not measured as the next figure's cost. Seconds waited."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.BOOTSTRAP)
    ends = AIOKafkaConsumer(bootstrap_servers=stack.BOOTSTRAP)
    await admin.start()
    await ends.start()
    platform = {topic.name for topic in topics.ALL}
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout_s:
            behind = 0
            for group, *_ in await admin.list_consumer_groups():
                done = {
                    tp: o
                    for tp, o in (await admin.list_consumer_group_offsets(group)).items()
                    if tp.topic in platform  # not a test's or a bench's scratch topic
                }
                last = await ends.end_offsets(list(done)) if done else {}
                behind += sum(last[tp] - o.offset for tp, o in done.items() if o.offset >= 0)
            if behind == 0:
                break
            await asyncio.sleep(1)
    finally:
        await ends.stop()
        await admin.close()
    waited = time.monotonic() - started
    print(f"hssk bench: the platform caught up in {waited:.0f} s", file=sys.stderr)
    return waited


@contextlib.asynccontextmanager
async def scratch_topic(name: str, partitions: int) -> AsyncIterator[None]:
    """Create `name` if missing, and delete it afterwards whatever happens."""
    async with kafka_admin() as admin:
        if name not in await admin.list_topics():
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(name, partitions, 1)])
    try:
        yield
    finally:
        async with kafka_admin() as admin:
            await admin.delete_topics([name])


async def measure_raw_mongo(payloads: list[Payload]) -> dict:
    client: AsyncMongoClient = AsyncMongoClient(stack.MONGO_URL)
    coll = client["hssk_bench"]["raw"]
    docs = [(key, {"visit": json.loads(value)["data"]}) for key, value in payloads]
    try:
        await coll.drop()
        # Upsert by _id as our adapters do (kit.mongo.upsert_by_id): FerretDB v1's replace and
        # upsert paths scan the collection, its update_one({"_id"}) and insert_one do not.
        # Two passes: the first creates every document, the second updates each.
        upserts = [partial(upsert_by_id, coll, key, {"$set": doc}, doc) for key, doc in docs]
        upsert_s = await bounded(MONGO_CONCURRENCY, upserts)
        upsert_s += await bounded(MONGO_CONCURRENCY, upserts)
        find_s = await bounded(
            MONGO_CONCURRENCY, [partial(coll.find_one, {"_id": key}) for key, _ in docs]
        )
    finally:
        await coll.drop()
        await client.close()
    return {
        "raw_upserts_per_s": 2 * len(docs) / upsert_s,
        "raw_find_by_id_per_s": len(docs) / find_s,
    }


async def bounded(limit: int, operations: Sequence[Callable[[], Awaitable]]) -> float:
    """Call each operation with at most `limit` in flight; return the wall time in seconds.
    (Motor starts work when called, not when awaited, so these are callables.)"""
    slots = asyncio.Semaphore(limit)

    async def one(op):
        async with slots:
            return await op()

    started = time.perf_counter()
    await asyncio.gather(*(one(op) for op in operations))
    return time.perf_counter() - started


# ---- output -------------------------------------------------------------------------------------
TABLE = """
hssk bench: {visits:,} visits over {citizens:,} citizens; {nproc} CPUs, Python {python}

  end to end (emr.visit -> records.change)  {e2e_visits_per_s:>10,.1f} visits/s
    latency p50 / p95 / p99                 {latency_p50_ms:>10,.0f} / {latency_p95_ms:,.0f} / \
{latency_p99_ms:,.0f} ms
    missing after timeout                   {missing:>10,}
  steady load, {paced_rate:.0f} visits/s (latency a hospital sees)
    latency p50 / p95 / p99                 {paced_latency_p50_ms:>10,.0f} / \
{paced_latency_p95_ms:,.0f} / {paced_latency_p99_ms:,.0f} ms
    missing after timeout                   {paced_missing:>10,}
  raw Kafka produce + consume               {raw_kafka_msgs_per_s:>10,.0f} msgs/s
    produce only / consume only             {raw_kafka_produce_per_s:>10,.0f} / \
{raw_kafka_consume_per_s:,.0f} msgs/s
  raw Mongo upsert by _id (64 in flight)    {raw_upserts_per_s:>10,.0f} ops/s
  raw Mongo find by _id (64 in flight)      {raw_find_by_id_per_s:>10,.0f} ops/s
  ratio e2e / raw Kafka                     {ratio_e2e_to_raw_kafka:>10.4f}
  ratio e2e / raw upserts                   {ratio_e2e_to_raw_upserts:>10.4f}

  Each visit makes 3 service hops over Kafka (ingest-emr -> identity -> records; 4 topics
  written) and several Mongo reads/writes, so e2e sits below both raw bounds.
"""


SERVICE_TABLE = """  per worker, one process:
  ingest decode + validate + publish, JSON      {json:>10,.0f} /s
                                      QĐ 130    {qd130:>10,.0f} /s
                                      FHIR R4   {fhir:>10,.0f} /s
  identity, known personal ID (real adapters)   {identity_known_id_per_s:>10,.0f} /s
            new person (register + blocking)    {identity_register_per_s:>10,.0f} /s
            bulk import, list of {identity_import_rows:>6,.0f}         \
{identity_import_rows_per_s:>10,.0f} rows/s
              the same list a month later       {identity_import_known_rows_per_s:>10,.0f} rows/s
            raw find by _id, same database      {identity_raw_find_by_id_per_s:>10,.0f} /s
"""


async def measure_records() -> dict:
    async with scratch_topic(bench_records.SCRATCH.name, RAW_PARTITIONS):
        await partition_count(bench_records.SCRATCH.name)
        return await bench_records.apply_rate()


RECORDS_KEYS = (
    "records_apply_per_s",
    "records_loaded_citizens",
    "records_readers",
    "records_read_p50_ms",
    "records_read_p90_ms",
    "records_read_p99_ms",
    "records_reads_per_s",
    "records_read_errors",
)
RECORDS_TABLE = """  records, one worker: resolved visits applied  {records_apply_per_s:>10,.0f} /s
  GET /v1/records/{{id}}, {records_readers:.0f} readers (wrk), \
{records_loaded_citizens:,.0f} records
    latency p50 / p90 / p99                 {records_read_p50_ms:>10,.1f} / \
{records_read_p90_ms:,.1f} / {records_read_p99_ms:,.1f} ms
    reads/s (each audited)                  {records_reads_per_s:>10,.0f} (non-2xx: \
{records_read_errors:,.0f})
"""


async def measure_notify() -> dict:
    async with scratch_topic(bench_notify.SCRATCH.name, RAW_PARTITIONS):
        await partition_count(bench_notify.SCRATCH.name)
        return await bench_notify.sweep_rate(bench_notify.STATES)


def print_table(result: dict) -> None:
    shown = {k: float("nan") if v is None else v for k, v in result.items()}
    print(TABLE.format(**shown, **result["machine"]))


def write_results(layout: Layout, result: dict, started_at: datetime) -> None:
    folder = layout.root / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    (folder / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}.json").write_text(text)
    (folder / "latest.json").write_text(text)
    print(f"  wrote {folder / 'latest.json'}")
