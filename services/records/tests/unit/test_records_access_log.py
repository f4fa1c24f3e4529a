"""The citizen's access log: appended exactly once per audit event (whatever Kafka redelivers
or a crash interrupts), hash-chained so a removed or altered entry is found, paged newest first
with emergency accesses pinned, and fed by dead-letter reads through identifier keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hssk_contracts.events import AccessData, AccessRecorded
from hssk_records import access_log
from hssk_records.adapters.memory import InMemoryAccessLogStore, InMemoryPersonKeys
from hssk_records.domain.access_log import Head, next_entry

PID = "945baa88-04b2-51ed-99d1-c0d6d0c5b885"
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def event(n: int, *, outcome="allowed", emergency=False, person=PID, keys=()) -> AccessRecorded:
    subject = person or "ops:ingest-emr"
    return AccessRecorded.new(
        event_id=f"evt-{n:06d}",
        producer="records",
        key=subject,
        data=AccessData(
            subject=subject,
            person_id=person,
            match_keys=list(keys),
            actor=f"doctor-{n % 3}",
            role="doctor",
            facility="79024",
            service="records",
            action="record.read",
            purpose="emergency" if emergency else "treatment",
            outcome=outcome,
            emergency=emergency,
            reason="unconscious_patient: bệnh nhân hôn mê" if emergency else None,
            at=T0 + timedelta(seconds=n),
        ),
    )


async def feed(log, keys, events, partition=0, first_offset=0):
    for i, e in enumerate(events):
        await access_log.on_access_recorded(e, at=(partition, first_offset + i), log=log, keys=keys)


@pytest.fixture
def log():
    return InMemoryAccessLogStore()


@pytest.fixture
def keys():
    return InMemoryPersonKeys()


async def test_entries_chain_in_order_and_verify(log, keys):
    await feed(log, keys, [event(n) for n in range(5)])
    head = await log.head(PID)
    assert head is not None and head.seq == 5 and head.counts == {"allowed": 5}
    verdict = await access_log.verify_log(PID, log=log)
    assert (verdict.intact, verdict.entries) == (True, 5)


async def test_a_redelivered_batch_is_not_appended_twice(log, keys):
    events = [event(n) for n in range(4)]
    await feed(log, keys, events)
    await feed(log, keys, events[1:], first_offset=1)  # Kafka delivers the tail again
    assert (await log.head(PID)).seq == 4
    assert (await access_log.verify_log(PID, log=log)).intact


async def test_a_crash_between_the_entry_and_its_head_is_finished_not_duplicated(log, keys):
    await feed(log, keys, [event(0)])
    head = await log.head(PID)
    await log.insert(next_entry(head, event(1), PID))  # stored, then the worker died
    await feed(log, keys, [event(1), event(2)], first_offset=1)
    head = await log.head(PID)
    assert head.seq == 3 and head.counts == {"allowed": 3}
    stored = await log.entries(PID, [1, 2, 3])
    assert [stored[s].event_id for s in (1, 2, 3)] == ["evt-000000", "evt-000001", "evt-000002"]


@pytest.mark.parametrize(
    ("tamper", "problem", "at_seq"),
    [
        ("remove", "entry missing", 3),
        ("alter", "entry altered", 2),
        ("truncate", "entry missing", 5),  # the head still counts the last entry
    ],
)
async def test_tampering_is_found_where_it_happened(log, keys, tamper, problem, at_seq):
    await feed(log, keys, [event(n) for n in range(5)])
    if tamper == "remove":
        del log.stored[next(k for k, e in log.stored.items() if e.seq == 3)]
    elif tamper == "alter":
        key = next(k for k, e in log.stored.items() if e.seq == 2)
        entry = log.stored[key]
        log.stored[key] = replace(entry, access={**entry.access, "outcome": "denied"})
    else:
        del log.stored[next(k for k, e in log.stored.items() if e.seq == 5)]
    verdict = await access_log.verify_log(PID, log=log)
    assert (verdict.intact, verdict.problem, verdict.at_seq) == (False, problem, at_seq)


async def test_a_flood_of_denials_cannot_push_an_emergency_read_out_of_sight(log, keys):
    events = [event(0), event(1, emergency=True)]
    events += [event(n, outcome="denied") for n in range(2, 200)]
    await feed(log, keys, events)
    first = await access_log.page(PID, before=None, limit=50, log=log)
    assert [e.seq for e in first.entries] == list(range(200, 150, -1))
    assert [e.seq for e in first.pinned] == [2]
    assert first.head.counts == {"allowed": 2, "denied": 198}
    seen, before = [], None
    while True:  # every entry is reachable by paging, none twice
        page = await access_log.page(PID, before=before, limit=50, log=log)
        seen += [e.seq for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == list(range(200, 0, -1))


async def test_a_dead_letter_read_reaches_the_citizen_known_by_identifier(log, keys):
    await keys.remember(["cccd:079190001234"], PID)
    grew = await access_log.on_access_recorded(
        event(1, person=None, keys=["cccd:079190001234"]), at=(3, 10), log=log, keys=keys
    )
    assert grew == ["ops:ingest-emr", PID]
    assert (await log.head(PID)).seq == 1


def test_the_head_knows_what_it_applied_per_partition():
    head = Head(PID, offsets={"0": 7})
    assert head.applied(0, 7) and not head.applied(0, 8) and not head.applied(1, 0)
