"""Records figures: resolved visits applied per second by one worker (the real handler, adapters
on FerretDB and an acks=all publisher, persons in parallel as the consumer loop runs them), and
`GET /v1/records/{id}` under 100 concurrent readers measured by wrk against the running
service with 100,000 citizens' records loaded."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pymongo.errors import BulkWriteError

from hssk_cli import stack, synth
from hssk_contracts import topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import VisitResolved, VisitResolvedData
from hssk_contracts.topics import Topic
from hssk_kit import devtokens, mongo
from hssk_kit.bus import Publisher
from hssk_records.adapters import mongo as adapters
from hssk_records.domain.events import RecordEvent, apply
from hssk_records.handlers import on_visit_resolved
from hssk_records.writing import Stores

CONCURRENCY = 64
SCRATCH = Topic("bench.records.change.v1", "person_id", 6, ("bench",), ("bench",), "scratch")
READERS, READ_SECONDS = 100, 15
FACILITY = "79024"


def _resolved(person: str, visit) -> VisitResolved:
    return VisitResolved.new(
        event_id=derive_event_id("bench-resolved", visit.key),
        producer="bench",
        key=person,
        data=VisitResolvedData(
            person_id=person,
            visit=visit,
            decision="matched",
            matched_on="cccd",
            accepted_event_id="bench",
            content_hash=derive_event_id("hash", visit.key),
        ),
    )


async def apply_rate(visits: int = 4000, people: int = 2000) -> dict[str, float]:
    client, db = mongo.connect(stack.MONGO_URL, f"hssk_bench_records_{uuid.uuid4().hex[:6]}")
    publisher = Publisher(stack.BOOTSTRAP, "bench-records")
    await publisher.start()

    async def publish(topic, event) -> None:  # the real producer, to a topic nobody reads
        await publisher.publish(SCRATCH if topic is topics.RECORDS_CHANGE else topic, event)

    try:
        stores = Stores(
            adapters.MongoRecordRepository(db),
            adapters.MongoEventLog(db),
            adapters.MongoEncounterStore(db),
        )
        rng, now = random.Random(21), datetime.now(UTC)
        citizens = [synth.citizen(rng) for _ in range(people)]
        persons = [str(uuid.uuid4()) for _ in citizens]
        by_person: dict[str, list[VisitResolved]] = {p: [] for p in persons}
        for i in range(visits):
            k = i % people
            v = synth.visit(citizens[k], rng, now=now, visit_id=f"B{i:07d}")
            by_person[persons[k]].append(_resolved(persons[k], v))
        slots = asyncio.Semaphore(CONCURRENCY)

        async def one_person(events: list[VisitResolved]) -> None:
            async with slots:  # one person's visits in order, persons in parallel
                for event in events:
                    await on_visit_resolved(event, stores=stores, publish=publish, now=now)

        started = time.perf_counter()
        await asyncio.gather(*(one_person(e) for e in by_person.values()))
        elapsed = time.perf_counter() - started
    finally:
        await publisher.stop()
        await client.drop_database(db.name)
        await client.close()
    return {"records_apply_per_s": visits / elapsed, "records_apply_visits": visits}


async def load_records(count: int) -> list[str]:
    """`count` citizens' records written straight into records' database (as their history
    would have left them), each seen at FACILITY recently: returns their person ids. The ids
    are the same every run, so a data directory keeps one set, loaded once."""
    client, db = mongo.connect(stack.MONGO_URL, "hssk_records")
    rng, now = random.Random(22), datetime.now(UTC)
    template = [synth.citizen(rng) for _ in range(200)]
    ids = [derive_event_id("bench-reader", str(i)) for i in range(count)]
    batch: list[dict] = []
    try:
        if await db["records"].find_one({"_id": ids[-1]}) is not None:
            return ids  # loaded by an earlier run
        for i, person in enumerate(ids):
            v = synth.visit(
                template[i % 200],
                rng,
                now=now - timedelta(days=rng.randint(0, 90)),
                facility=FACILITY,
                visit_id=f"READ{i:07d}",
            )
            record = apply(
                None,
                RecordEvent(
                    person_id=person,
                    version=1,
                    at=now,
                    change="visit_added",
                    cause=f"bench-read-{i}",
                    by=FACILITY,
                    visit=v,
                    content_hash="bench",
                ),
            )
            batch.append({"_id": person, **adapters.record_doc(record)})
            if len(batch) == 1000 or i == count - 1:
                with contextlib.suppress(BulkWriteError):  # some stored by a stopped run
                    await db["records"].insert_many(batch, ordered=False)
                batch.clear()
    finally:
        await client.close()
    return ids


LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  return wrk.format("GET", "/v1/records/" .. ids[math.random(#ids)])
end
"""


def read_latency(ids: list[str], layout_keys: Path) -> dict[str, float]:
    if shutil.which("wrk") is None:
        print("hssk bench: wrk is missing (apt-get install wrk); read latency not measured")
        return {}
    private, _ = devtokens.ensure_keys(layout_keys)
    token = devtokens.mint(private, role="doctor", facility=FACILITY, subject="bench-doctor")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "ids.txt").write_text("\n".join(ids) + "\n")
        script = Path(folder) / "read.lua"
        script.write_text(LUA % {"ids": Path(folder) / "ids.txt", "token": token})
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{READERS}",
                f"-d{READ_SECONDS}s",
                "--latency",
                "-s",
                str(script),
                stack.BY_NAME["records"].url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return _parse_wrk(out)


def _parse_wrk(out: str) -> dict[str, float]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    found = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", out, re.M))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "records_read_p50_ms": ms(found["50"]),
        "records_read_p90_ms": ms(found["90"]),
        "records_read_p99_ms": ms(found["99"]),
        "records_reads_per_s": float(rate.group(1)) if rate else 0.0,
        "records_read_errors": float(errors.group(1)) if errors else 0.0,
        "records_readers": float(READERS),
    }
