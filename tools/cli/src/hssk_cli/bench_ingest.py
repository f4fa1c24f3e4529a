"""Ingest's per-worker bound: decode + validate + publish of each hospital format in one process,
on the same synthetic visits the simulator sends, through the real idempotent acks=all producer
to a scratch topic (the de-duplication store is left out: it is MongoDB's figure)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from hssk_cli import formats, synth
from hssk_contracts import codec, topics
from hssk_contracts.events import Source, VisitAccepted, VisitAcceptedData, VisitSubmitted
from hssk_ingest_emr.domain import fhir, qd130, receipts, validation


async def measure(bootstrap: str, n: int = 2000) -> dict[str, float]:
    rng = random.Random(5)
    people = synth.population(500, seed=5)
    now = datetime.now(UTC)
    visits = [synth.visit(rng.choice(people), rng, now=now) for _ in range(n)]
    payloads = {
        "json": [codec.encode(synth.submitted(v)) for v in visits],
        "qd130": [formats.to_qd130(v) for v in visits],
        "fhir": [formats.to_fhir(v) for v in visits],
    }
    decode = {
        "json": lambda raw: codec.decode_as(VisitSubmitted, topics.EMR_VISIT.name, raw).data,
        "qd130": lambda raw: qd130.parse_bundle(raw, received_at=now).visit,
        "fhir": lambda raw: fhir.parse_bundle(raw, received_at=now).visit,
    }
    out: dict[str, float] = {}
    from hssk_cli import bench  # shares its scratch-topic and producer settings

    topic = "bench.ingest.v1"
    kafka = AIOKafkaProducer(bootstrap_servers=bootstrap, **bench.PRODUCER)
    async with bench.scratch_topic(topic, 6):
        await kafka.start()
        send = kafka.send
        for fmt, raws in payloads.items():
            started = time.perf_counter()
            deliveries = []
            for raw in raws:
                visit = decode[fmt](raw)
                if visit is None:
                    raise RuntimeError(f"the {fmt} parser refused a synthetic visit")
                validation.validate(visit, now)
                event = VisitAccepted.new(
                    event_id=str(uuid.uuid4()),
                    producer="bench",
                    key=visit.key,
                    data=VisitAcceptedData(
                        visit=visit,
                        source=Source(format="json"),
                        content_hash=receipts.content_hash(visit),
                    ),
                )
                deliveries.append(await send(topic, codec.encode(event), key=visit.key.encode()))
            await asyncio.gather(*deliveries)
            out[f"ingest_decode_validate_publish_{fmt}_per_s"] = n / (time.perf_counter() - started)
        await kafka.stop()
    return out
