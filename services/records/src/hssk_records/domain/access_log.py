"""The citizen's access log as a hash chain: entry n carries the hash of entry n-1 and its own
hash over both, so a removed, altered or reordered entry breaks the chain. The head remembers
the last entry and the audit-topic offsets already applied (a redelivered event is not added
twice), with counts and the latest emergency accesses that a flood of denials cannot hide."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from hssk_contracts.events import AccessRecorded

GENESIS = "0" * 64
PINNED_EMERGENCIES = 20


@dataclass(frozen=True)
class Entry:
    subject: str
    seq: int
    event_id: str
    access: dict[str, Any]  # the AccessData fields, as JSON values
    prev: str
    hash: str

    @property
    def key(self) -> str:
        return entry_key(self.subject, self.seq)


@dataclass(frozen=True)
class Head:
    subject: str
    seq: int = 0
    hash: str = GENESIS
    offsets: dict[str, int] = field(default_factory=dict)  # partition -> last applied offset
    counts: dict[str, int] = field(default_factory=dict)  # allowed / denied / not_found
    emergencies: tuple[int, ...] = ()  # seq numbers of the latest emergency accesses

    def applied(self, partition: int, offset: int) -> bool:
        return offset <= self.offsets.get(str(partition), -1)


def entry_key(subject: str, seq: int) -> str:
    return f"{subject}:{seq:010d}"


def chain_hash(subject: str, seq: int, event_id: str, access: dict[str, Any], prev: str) -> str:
    canonical = json.dumps(
        {"subject": subject, "seq": seq, "event_id": event_id, "access": access, "prev": prev},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_entry(head: Head, event: AccessRecorded, subject: str) -> Entry:
    access = event.data.model_dump(mode="json", exclude={"subject"})
    seq = head.seq + 1
    digest = chain_hash(subject, seq, event.event_id, access, head.hash)
    return Entry(subject, seq, event.event_id, access, head.hash, digest)


def advanced(head: Head, entry: Entry, at: tuple[int, int] | None = None) -> Head:
    """The head once `entry` is stored; `at` is the (partition, offset) of the event it came
    from, None for an entry another writer stored (counted, but its offset is not ours)."""
    outcome = entry.access.get("outcome", "allowed")
    counts = {**head.counts, outcome: head.counts.get(outcome, 0) + 1}
    emergencies = head.emergencies
    if entry.access.get("emergency"):
        emergencies = (*emergencies, entry.seq)[-PINNED_EMERGENCIES:]
    offsets = head.offsets
    if at is not None:
        partition, offset = str(at[0]), at[1]
        offsets = {**offsets, partition: max(offset, offsets.get(partition, -1))}
    return replace(
        head,
        seq=entry.seq,
        hash=entry.hash,
        offsets=offsets,
        counts=counts,
        emergencies=emergencies,
    )


@dataclass(frozen=True)
class Verdict:
    subject: str
    entries: int
    intact: bool
    problem: str | None = None
    at_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(head: Head | None, subject: str, entries: Iterable[Entry | None]) -> Verdict:
    """Walk entries 1..head.seq (None where one is missing) and say where the chain breaks."""
    if head is None:
        return Verdict(subject, 0, True)
    prev, count = GENESIS, 0
    for expected_seq, entry in enumerate(entries, start=1):
        if entry is None:
            return Verdict(subject, count, False, "entry missing", expected_seq)
        recomputed = chain_hash(subject, entry.seq, entry.event_id, entry.access, entry.prev)
        if entry.prev != prev or entry.seq != expected_seq:
            return Verdict(subject, count, False, "entry out of chain", expected_seq)
        if recomputed != entry.hash:
            return Verdict(subject, count, False, "entry altered", expected_seq)
        prev, count = entry.hash, count + 1
    if count != head.seq or prev != head.hash:
        return Verdict(subject, count, False, "log shorter than its head", count + 1)
    return Verdict(subject, count, True)
