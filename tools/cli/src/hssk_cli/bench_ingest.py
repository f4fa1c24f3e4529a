"""Ingest's per-worker CPU bound: decode + validate of each hospital format in one process
(no broker, no database), on the same synthetic visits the simulator sends."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from hssk_cli import formats, synth
from hssk_contracts import codec, topics
from hssk_contracts.events import VisitSubmitted
from hssk_ingest_emr.domain import fhir, qd130, validation


def measure(n: int = 2000) -> dict[str, float]:
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
    for fmt, raws in payloads.items():
        started = time.perf_counter()
        for raw in raws:
            validation.validate(decode[fmt](raw), now)
        out[f"ingest_decode_validate_{fmt}_per_s"] = n / (time.perf_counter() - started)
    return out
