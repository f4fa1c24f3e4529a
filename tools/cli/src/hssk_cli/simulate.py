"""`hssk simulate`: N hospitals publishing synthetic visits at a steady total rate, in canonical
JSON, QĐ 130 XML and FHIR R4, with malformed payloads, duplicates and corrections mixed in.

The ground truth goes to a JSON lines file, one line per message, written once the broker has
answered: key, format, kind (visit, duplicate, correction, malformed), revision (as the platform
will read it: QĐ 130 carries none, so 1), malformed_reason, main_icd10, the citizen's personal
ID and `delivered` (acknowledged by the broker). Downstream, every distinct key of a delivered
`visit` line should reach records.change.v1 once as visit_added, each `correction` as
visit_revised, duplicates nothing, and every `malformed` key emr.visit.dlq.v1.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from aiokafka import AIOKafkaProducer

from hssk_cli import formats, stack, synth
from hssk_cli.paths import Layout
from hssk_contracts import codec, topics

FACILITIES = ["01001", "79001", "48001", "01003", "79024", "31001", "92001", "01002", "79002",
              "48002", "75001", "56001"]  # fmt: skip
TOPICS = {"json": topics.EMR_VISIT, "xml": topics.EMR_VISIT_XML130, "fhir": topics.EMR_VISIT_FHIR}
MALFORMED = {"json": ("bad_json", "missing_identifiers", "schema_version"),
             "xml": ("xml_entity", "bad_base64"),
             "fhir": ("naive_datetime", "bad_json")}  # fmt: skip
RESEND_AFTER_S = 0.5  # a duplicate or correction resends a visit at least this old


@dataclass
class Summary:
    truth_path: Path
    total: int = 0
    sent: int = 0
    failed: int = 0
    elapsed_s: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        kinds = " ".join(f"{k}={self.kinds[k]}" for k in ("visit", "duplicate", "correction",
                                                            "malformed"))  # fmt: skip
        rate = self.sent / self.elapsed_s if self.elapsed_s else 0.0
        return f"sent {self.sent}/{self.total} ({rate:.0f}/s) {kinds} failed={self.failed}"


@dataclass
class _Sent:
    """A visit a facility has sent (its latest version, which duplicates resend as is)."""

    fmt: str
    visit: Any
    payload: bytes = b""
    corrected: bool = False

    def __post_init__(self) -> None:
        if self.fmt == "xml":
            self.payload = self.payload or formats.to_qd130(self.visit)
        elif self.fmt == "fhir":
            self.payload = self.payload or formats.to_fhir(self.visit)
        else:  # the envelope's occurred_at changes at each encoding: keep the bytes
            self.payload = self.payload or codec.encode(synth.submitted(self.visit))

    def truth(self, kind: str, reason: str | None = None) -> dict[str, Any]:
        revision = 1 if self.fmt == "xml" else self.visit.revision  # QĐ 130 carries none
        cccd = next((i.value for i in self.visit.patient.identifiers if i.type == "cccd"), None)
        return {"key": self.visit.key, "format": self.fmt, "kind": kind, "revision": revision,
                "malformed_reason": reason, "main_icd10": self.visit.main_icd10,
                "citizen": cccd}  # fmt: skip


class _Hospital:
    """One facility's stream of messages; its own seeded rng, so runs repeat per facility."""

    def __init__(self, code: str, run: str, seed: int, people: list[synth.Citizen], opts: dict):
        self.code, self.run, self.people, self.opts = code, run, people, opts
        self.rng = random.Random(f"{seed}:{code}")
        self.seq = 0
        self.sent: list[_Sent] = []  # accepted visits in the order first sent
        self.times: list[float] = []  # ...and when

    def next(self, now: float) -> tuple[bytes, dict[str, Any]]:
        """The next message's bytes and ground truth."""
        r, o = self.rng.random(), self.opts
        old = bisect.bisect_right(self.times, now - RESEND_AFTER_S)  # sent[:old] may be resent
        if r < o["malformed"]:
            return self._malformed()
        if r < o["malformed"] + o["duplicates"] and old:
            last = self.sent[self.rng.randrange(old)]
            return last.payload, last.truth("duplicate")
        if r < o["malformed"] + o["duplicates"] + o["corrections"] and old:
            picks = (self.sent[self.rng.randrange(old)] for _ in range(5))
            if target := next((s for s in picks if not s.corrected), None):
                return self._correction(target)
        sent = _Sent(*self._visit())
        self.sent.append(sent)
        self.times.append(now)
        return sent.payload, sent.truth("visit")

    def _visit(self) -> tuple[str, Any]:
        self.seq += 1
        fmt = self.rng.choices(list(self.opts["mix"]), weights=list(self.opts["mix"].values()))[0]
        visit_id = f"SIM{self.run}{self.code}{self.seq:06d}"
        person = self.rng.choice(self.people)
        now = datetime.now(UTC)
        return fmt, synth.visit(person, self.rng, now=now, facility=self.code, visit_id=visit_id)

    def _correction(self, last: _Sent) -> tuple[bytes, dict[str, Any]]:
        """Same visit id, a changed diagnosis, revision + 1 (QĐ 130: only sent later)."""
        code, label = self.rng.choice([d for d in synth.DIAGNOSES if d[0] != last.visit.main_icd10])
        update = {"revision": last.visit.revision + 1, "sent_at": datetime.now(UTC),
                  "main_icd10": code, "diagnosis_discharge": label}  # fmt: skip
        fixed = _Sent(last.fmt, last.visit.model_copy(update=update), corrected=True)
        last.visit, last.payload, last.corrected = fixed.visit, fixed.payload, True
        return fixed.payload, fixed.truth("correction")

    def _malformed(self) -> tuple[bytes, dict[str, Any]]:
        sent = _Sent(*self._visit())
        reason, raw = self.rng.choice(MALFORMED[sent.fmt]), sent.payload
        if reason == "bad_json":
            raw = raw[: len(raw) // 2]
        elif reason in ("missing_identifiers", "schema_version"):
            doc = json.loads(raw)
            if reason == "schema_version":
                doc["schema_version"] = 2
            else:
                del doc["data"]["patient"]["identifiers"]
            raw = json.dumps(doc, ensure_ascii=False).encode()
        elif reason == "xml_entity":
            head, _, body = raw.partition(b"\n")
            raw = head + b'\n<!DOCTYPE GIAMDINHHS [<!ENTITY hssk "x">]>\n' + body
        elif reason == "bad_base64":
            raw = re.sub(rb"<NOIDUNGFILE>[^<]*", b"<NOIDUNGFILE>not*base64!", raw, count=1)
        elif reason == "naive_datetime":
            doc = json.loads(raw)
            [encounter] = [
                e["resource"] for e in doc["entry"] if e["fullUrl"].endswith("encounter")
            ]
            encounter["period"]["start"] = encounter["period"]["start"][:19]  # no offset
            raw = json.dumps(doc, ensure_ascii=False).encode()
        return raw, sent.truth("malformed", reason)


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; take() waits for one."""

    def __init__(self, rate: float, burst: float = 1.0):
        self.rate, self.burst, self.tokens, self.last = rate, burst, 1.0, time.monotonic()

    async def take(self) -> None:
        while True:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)


async def simulate(
    bootstrap: str, *, facilities: int, rate: float, total: int, mix: dict[str, float],
    malformed: float, duplicates: float, corrections: float, seed: int, citizens: int,
    truth_path: Path, progress: TextIO | None = None,
) -> Summary:  # fmt: skip
    """Publish `total` messages from `facilities` hospitals at `rate` a second in all."""
    if set(mix) - set(TOPICS) or not sum(mix.values()) > 0:
        raise ValueError(f"mix: weights for {sorted(TOPICS)}, not all zero; got {mix}")
    if malformed + duplicates + corrections > 1:
        raise ValueError("malformed + duplicates + corrections must not exceed 1")
    codes = FACILITIES[:facilities] + [f"{('01', '79', '48')[i % 3]}{100 + i:03d}"
                                       for i in range(len(FACILITIES), facilities)]  # fmt: skip
    opts = dict(mix=mix, malformed=malformed, duplicates=duplicates, corrections=corrections)
    people, run = synth.population(citizens, seed=seed), uuid.uuid4().hex[:6].upper()
    hospitals = [_Hospital(code, run, seed, people, opts) for code in codes]
    summary = Summary(truth_path=truth_path, total=total)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    started = time.monotonic()

    def delivered(truth: dict[str, Any], out: TextIO) -> Callable[[asyncio.Future], None]:
        """Write the truth line once the broker answered: only acknowledged messages count."""

        def done(future: asyncio.Future) -> None:
            acked = not future.cancelled() and future.exception() is None
            summary.failed += not acked
            out.write(json.dumps({**truth, "delivered": acked}) + "\n")

        return done

    async def hospital(h: _Hospital, count: int, out: TextIO) -> None:
        bucket = TokenBucket(rate / len(hospitals), burst=max(1.0, rate / len(hospitals) / 10))
        for _ in range(count):
            await bucket.take()
            raw, truth = h.next(time.monotonic())
            topic = TOPICS[truth["format"]].name
            future = await producer.send(topic, raw, key=truth["key"].encode())
            future.add_done_callback(delivered(truth, out))
            summary.sent += 1
            summary.kinds[truth["kind"]] += 1
            summary.formats[truth["format"]] += 1
            if truth["malformed_reason"]:
                summary.reasons[truth["malformed_reason"]] += 1

    async def report() -> None:
        tty = progress is not None and progress.isatty()
        while progress is not None:
            await asyncio.sleep(0.5 if tty else 5.0)
            summary.elapsed_s = time.monotonic() - started
            print(("\r" if tty else "") + summary.line(), end="" if tty else "\n", file=progress)

    reporter = asyncio.create_task(report())
    try:
        with truth_path.open("w", encoding="utf-8") as out:
            n = len(hospitals)
            await asyncio.gather(*(hospital(h, total // n + (i < total % n), out)
                                   for i, h in enumerate(hospitals)))  # fmt: skip
            await producer.flush()
            await asyncio.sleep(0)  # let the delivery callbacks write their lines
    finally:
        reporter.cancel()
        await producer.stop()
        summary.elapsed_s = time.monotonic() - started
    if progress is not None and progress.isatty():
        print(file=progress)
    return summary


def parse_mix(text: str) -> dict[str, float]:
    """The --mix option, e.g. json=0.5,xml=0.3,fhir=0.2, as format -> weight."""
    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    return {name.strip(): float(weight) for name, weight in pairs}


def run(layout: Layout, args: argparse.Namespace) -> int:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    truth = args.truth or layout.home / f"simulate-{stamp}.jsonl"
    total = args.visits if args.visits is not None else round(args.rate * args.seconds)
    summary = asyncio.run(
        simulate(
            stack.BOOTSTRAP, facilities=args.facilities, rate=args.rate, total=total,
            mix=parse_mix(args.mix), malformed=args.malformed, duplicates=args.duplicates,
            corrections=args.corrections, seed=args.seed, citizens=args.citizens,
            truth_path=truth, progress=sys.stderr,
        )
    )  # fmt: skip
    print(f"simulate: {summary.line()} in {summary.elapsed_s:.1f}s")
    print(f"  formats: {dict(summary.formats)}  malformed: {dict(summary.reasons)}")
    print(f"  ground truth: {truth}")
    return 1 if summary.failed else 0
