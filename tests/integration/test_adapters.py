"""One suite per port, run against the in-memory fake and the real MongoDB adapter (FerretDB),
so the fakes the unit tests rely on are proven to behave like the real thing."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hssk_cli import synth
from hssk_identity.adapters.memory import InMemoryPersonRepository
from hssk_identity.adapters.mongo import MongoPersonRepository
from hssk_identity.domain.person import HolderCard, card, register
from hssk_identity.ports import Holding
from hssk_ingest_emr.adapters.memory import InMemoryReceiptStore
from hssk_ingest_emr.adapters.mongo import MongoReceiptStore
from hssk_ingest_emr.domain.receipts import Receipt
from hssk_kit import mongo
from hssk_records.domain.encounters import StoredEncounter
from hssk_records.domain.events import RecordEvent, apply
from tests.conftest import MONGO_URL

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def db(request, engines_up):
    """None for the fake; a fresh FerretDB database for the real adapter."""
    if request.param == "memory":
        yield None
        return
    client, database = mongo.connect(MONGO_URL, f"hssk_test_{uuid.uuid4().hex[:8]}")
    yield database
    await client.drop_database(database.name)
    await client.close()


def a_visit(visit_id: str | None = None):
    rng = random.Random()
    return synth.visit(synth.citizen(rng), rng, now=NOW, visit_id=visit_id)


async def test_receipts_round_trip_and_replace(db):
    store = InMemoryReceiptStore() if db is None else MongoReceiptStore(db)
    key = f"01001:{uuid.uuid4().hex}"
    assert await store.get(key) is None
    first = Receipt(key, 1, NOW, "a" * 64, "event-1")
    await store.put(first)
    assert await store.get(key) == first
    second = Receipt(key, 2, NOW + timedelta(hours=1), "b" * 64, "event-2")
    await store.put(second)
    assert await store.get(key) == second


async def test_identifier_claims_have_one_holder(db):
    repo = InMemoryPersonRepository() if db is None else MongoPersonRepository(db)
    person = register(a_visit().patient, f"event-{uuid.uuid4()}", "test")
    key = person.match_keys[0]
    assert await repo.owner_of(key) is None
    await repo.add(person)
    await repo.add(person)  # idempotent
    assert await repo.claim(key, card(person)) == person.person_id
    assert await repo.claim(key, replace(card(person), person_id="someone-else")) == (
        person.person_id
    )
    assert await repo.owner_of(key) == person.person_id
    assert await repo.get(person.person_id) == person
    assert await repo.holding(key) == Holding(person.person_id, card(person))


async def test_a_card_is_read_only_while_it_describes_the_holder(db):
    repo = InMemoryPersonRepository() if db is None else MongoPersonRepository(db)
    key = f"cccd:{uuid.uuid4().int % 10**12:012d}"
    a = HolderCard("a", "1985-03", "cause-a", (key,))
    assert await repo.holding(key) is None
    await repo.claim(key, a)
    refreshed = replace(a, identifiers=(key, "bhyt:DN4010123456789"))
    await repo.file_card([key], refreshed)
    assert await repo.holding(key) == Holding("a", refreshed)
    await repo.file_card([key], HolderCard("b", None, "cause-b", ()))  # lost a race to a move
    assert await repo.holding(key) == Holding("a", None)
    b = HolderCard("b", None, "cause-b", (key,))
    await repo.reassign(key, b)
    assert await repo.holding(key) == Holding("b", b)


def record_stores(db):
    from hssk_records.adapters import memory
    from hssk_records.adapters import mongo as records_mongo
    from hssk_records.writing import Stores

    if db is None:
        return Stores(
            memory.InMemoryRecordRepository(),
            memory.InMemoryEventLog(),
            memory.InMemoryEncounterStore(),
        )
    return Stores(
        records_mongo.MongoRecordRepository(db),
        records_mongo.MongoEventLog(db),
        records_mongo.MongoEncounterStore(db),
    )


def visit_event(person_id: str, version: int, visit, **more) -> RecordEvent:
    return RecordEvent(
        person_id=person_id,
        version=version,
        at=NOW,
        change="visit_added",
        cause=f"c{version}",
        by=visit.facility_code,
        visit=visit,
        content_hash=f"h{version}",
        **more,
    )


async def test_records_store_only_over_an_older_version(db):
    stores = record_stores(db)
    person_id = str(uuid.uuid4())
    visit = a_visit(visit_id="LK.WITH.DOTS-1")  # dots must survive storage
    first = apply(None, visit_event(person_id, 1, visit))
    assert await stores.records.save(first) is True
    assert await stores.records.save(first) is False  # the same version again
    assert await stores.records.get(person_id) == first
    second = apply(first, visit_event(person_id, 2, a_visit(visit_id="LK2")))
    assert await stores.records.save(second) is True
    assert await stores.records.save(first) is False  # never backwards
    assert (await stores.records.get(person_id)).version == 2


async def test_record_events_are_unique_per_version_and_kept_whole(db):
    stores = record_stores(db)
    person_id = str(uuid.uuid4())
    event = visit_event(person_id, 1, a_visit(visit_id="LK.1"))
    assert await stores.events.append(event) is True
    assert await stores.events.append(event.model_copy(update={"cause": "other"})) is False
    assert await stores.events.get(person_id, 1) == event
    merged = apply(None, event)
    with_snapshot = RecordEvent(
        person_id=person_id,
        version=2,
        at=NOW,
        change="person_merged",
        cause="m",
        by="identity",
        other="x",
        merged=merged,
    )
    await stores.events.append(with_snapshot)
    assert await stores.events.versions(person_id, [1, 2, 3]) == {1: event, 2: with_snapshot}


async def test_encounters_are_kept_by_visit_key_latest_revision(db):
    stores = record_stores(db)
    visit = a_visit(visit_id=f"LK.{uuid.uuid4().hex[:6]}")
    first = StoredEncounter(
        key=visit.key, person_id="p", revision=1, content_hash="h1", applied_version=1, visit=visit
    )
    await stores.encounters.put(first)
    fixed = first.model_copy(update={"revision": 2, "content_hash": "h2", "applied_version": 3})
    await stores.encounters.put(fixed)
    assert await stores.encounters.get(visit.key) == fixed
    assert await stores.encounters.get_many([visit.key, "nope"]) == {visit.key: fixed}


def records_ports(db):
    from hssk_records.adapters import memory
    from hssk_records.adapters import mongo as records_mongo

    if db is None:
        return (
            memory.InMemoryAccessLogStore(),
            memory.InMemoryGrantStore(),
            memory.InMemoryPersonKeys(),
        )
    return (
        records_mongo.MongoAccessLogStore(db),
        records_mongo.MongoGrantStore(db),
        records_mongo.MongoPersonKeys(db),
    )


async def test_access_log_entries_are_unique_per_seq_and_heads_round_trip(db):
    from hssk_records.domain.access_log import Entry, Head

    log, _, _ = records_ports(db)
    subject = str(uuid.uuid4())
    first = Entry(
        subject,
        1,
        "e1",
        {"outcome": "allowed", "at": "2026-12-04T08:00:00+07:00"},
        "0" * 64,
        "a" * 64,
    )
    assert await log.insert(first) is True
    assert await log.insert(Entry(subject, 1, "e2", {}, "0" * 64, "b" * 64)) is False
    assert await log.entries(subject, [1, 2]) == {1: first}
    head = Head(subject, 1, "a" * 64, {"0": 41}, {"allowed": 1}, (1,))
    await log.save_head(head)
    await log.save_head(head)
    assert await log.head(subject) == head
    assert await log.head(str(uuid.uuid4())) is None


async def test_emergency_grants_round_trip(db):
    from hssk_records.domain.emergency import open_grant

    _, grants, _ = records_ports(db)
    doctor, person = f"bs-{uuid.uuid4().hex[:6]}", str(uuid.uuid4())
    grant = open_grant(
        doctor=doctor,
        person_id=person,
        facility="79001",
        purpose="unconscious_patient",
        reason="bệnh nhân hôn mê sâu",
        now=NOW,
        lasts=timedelta(minutes=60),
    )
    await grants.save(grant)
    assert await grants.get(doctor, person) == grant
    assert await grants.get(doctor, str(uuid.uuid4())) is None


async def test_allowances_run_out_even_for_concurrent_takers(db):
    from hssk_records.adapters import memory
    from hssk_records.adapters import mongo as records_mongo

    allowances = memory.InMemoryAllowances() if db is None else records_mongo.MongoAllowances(db)
    key = f"emergency|bs-{uuid.uuid4().hex[:6]}|2026-12-04"
    taken = await asyncio.gather(*(allowances.take(key, 3) for _ in range(6)))
    assert sorted(taken) == [False, False, False, True, True, True]
    assert await allowances.take(key.replace("12-04", "12-05"), 3) is True


async def test_qr_tokens_are_used_once_and_shares_listed_by_person(db):
    from hssk_records.adapters import memory
    from hssk_records.adapters import mongo as records_mongo
    from hssk_records.domain.sharing import new_share

    ledger = memory.InMemoryQrLedger() if db is None else records_mongo.MongoQrLedger(db)
    token_id = uuid.uuid4().hex
    assert [await ledger.use(token_id, "p"), await ledger.use(token_id, "p")] == [True, False]
    shares = memory.InMemoryShareStore() if db is None else records_mongo.MongoShareStore(db)
    person = str(uuid.uuid4())
    made, _ = new_share(person, "summary", now=NOW, lasts=timedelta(hours=2))
    await shares.add(made)
    revoked = made.model_copy(update={"revoked_at": NOW})
    await shares.save(revoked)
    assert await shares.get(made.share_id) == revoked
    assert await shares.of_person(person) == [revoked]


async def test_person_keys_answer_the_holder_of_any_key(db):
    _, _, keys = records_ports(db)
    person = str(uuid.uuid4())
    cccd = f"cccd:0791900{random.randrange(10**5):05d}"
    await keys.remember([cccd, "bhxh:7912345678"], person)
    assert await keys.person_of(["passport:X", cccd]) == person
    assert await keys.person_of([f"cccd:{uuid.uuid4().hex}"]) is None


def identity_ports(db):
    from hssk_identity.adapters import memory
    from hssk_identity.bootstrap import build_index

    return memory.in_memory_index() if db is None else build_index(db)


async def test_blocks_collect_members_and_skip_oversized_blocks(db):
    blocks = identity_ports(db).blocks
    key, big = f"fg:NGUYEN:LAN:{uuid.uuid4().hex}", f"p:{uuid.uuid4().hex}"
    await blocks.add([key, big], "p1")
    await blocks.add([key], "p1")  # no duplicate member
    await blocks.add([key, big], "p2")
    for i in range(3):
        await blocks.add([big], f"x{i}")
    assert await blocks.members([key], per_block=10) == {"p1", "p2"}
    assert await blocks.members([key, big], per_block=3) == {"p1", "p2"}  # big has 5: skipped


async def test_bulk_forms_answer_as_their_one_at_a_time_forms(db):
    """What a batch of the bulk import reads and writes in one round trip each
    (bulk_import/staged_batch.py)."""
    ports = identity_ports(db)
    people = [register(a_visit().patient, f"event-{uuid.uuid4()}", "test") for _ in range(3)]
    a, b, c = people
    assert await ports.persons.add_all(people) == {a.person_id, b.person_id, c.person_id}
    assert await ports.persons.add_all([a]) == set()  # stored before: not stored now
    assert await ports.persons.get_many([a.person_id, "nobody", c.person_id]) == {
        a.person_id: a,
        c.person_id: c,
    }
    ka, kb = a.match_keys[0], b.match_keys[0]
    await ports.persons.claim(kb, card(b))
    taken = replace(card(c), person_id=c.person_id)
    assert await ports.persons.claim_all([(ka, card(a)), (kb, taken)]) == {
        ka: a.person_id,
        kb: b.person_id,  # held before: its holder
    }
    assert await ports.persons.holdings([ka, kb, "cccd:000000000000"]) == {
        ka: Holding(a.person_id, card(a)),
        kb: Holding(b.person_id, card(b)),
    }
    old, new = f"fg:LE:AN:{uuid.uuid4().hex}", f"w:{uuid.uuid4().hex}"
    await ports.blocks.add([old], "p0")
    await ports.blocks.add_all({old: ["p1", "p0"], new: ["p2", "p3"]}, existing={old})
    assert await ports.blocks.lists([old, new, "absent"]) == {
        old: ["p0", "p1"],
        new: ["p2", "p3"],
    }
    await ports.blocks.add_all({new: ["p4"]})  # not said to exist: created or added to
    assert await ports.blocks.lists([new]) == {new: ["p2", "p3", "p4"]}
    await ports.reviews.remember_not_match("fp", "p1")
    assert await ports.reviews.not_matches_among([("fp", "p1"), ("fp", "p2")]) == {("fp", "p1")}
    cause = f"cause-{uuid.uuid4()}"
    await ports.decisions.record(cause, {"decision": "new"})
    await ports.decisions.record_all({cause: {"decision": "review"}, "c2": {"decision": "new"}})
    assert (await ports.decisions.get(cause))["decision"] == "new"  # the first stands
    assert (await ports.decisions.get("c2"))["decision"] == "new"


async def test_review_queue_per_ward_and_not_match_memory(db):
    from hssk_identity.domain.review import Candidate, Review

    reviews = identity_ports(db).reviews
    ward = f"9{uuid.uuid4().int % 10000:04d}"
    review = Review(
        review_id=str(uuid.uuid4()),
        person_id="p-new",
        ward=ward,
        reason="band",
        query={"name": "Nguyễn Lan"},
        candidates=[Candidate("p-old", 12.5, {"name:exact": 9.0})],
        created_at=NOW,
    )
    await reviews.open(review)
    await reviews.open(review)  # filing twice is a no-op
    assert [r.review_id for r in await reviews.list_open(ward)] == [review.review_id]
    assert (await reviews.get(review.review_id)).candidates[0].weights == {"name:exact": 9.0}
    from dataclasses import replace

    await reviews.save(replace(review, status="kept_separate", resolution="not_a_match"))
    assert await reviews.list_open(ward) == []
    assert not await reviews.is_not_match("fp", "p-old")
    await reviews.remember_not_match("fp", "p-old")
    await reviews.remember_not_match("fp", "p-old")
    assert await reviews.is_not_match("fp", "p-old")


async def test_identifiers_reassign_and_merge_log_forget(db):
    ports = identity_ports(db)
    key = f"cccd:{uuid.uuid4().int % 10**12:012d}"
    assert await ports.persons.claim(key, HolderCard("a", None, "c", (key,))) == "a"
    await ports.persons.reassign(key, HolderCard("b", None, "c", (key,)))
    assert await ports.persons.owner_of(key) == "b"
    await ports.merges.record("m1", "s1", [key], "op")
    entry = await ports.merges.get("m1")
    assert (entry["survivor_id"], entry["moved_keys"]) == ("s1", [key])
    await ports.merges.forget("m1")
    assert await ports.merges.get("m1") is None
    await ports.decisions.record("cause-1", {"decision": "review", "reason": "band"})
    await ports.decisions.record("cause-1", {"decision": "matched"})  # first decision stands
    assert (await ports.decisions.get("cause-1"))["decision"] == "review"


async def test_dead_letters_are_kept_listed_per_facility_newest_first(db):
    from dataclasses import replace

    from hssk_ingest_emr.adapters.memory import InMemoryDeadLetterStore
    from hssk_ingest_emr.adapters.mongo import MongoDeadLetterStore
    from hssk_ingest_emr.domain.dead_letters import DeadLetter

    store = InMemoryDeadLetterStore() if db is None else MongoDeadLetterStore(db)
    facility = f"9{uuid.uuid4().int % 10000:04d}"
    letters = [
        DeadLetter(
            dlq_id=str(uuid.uuid4()),
            source_topic="emr.visit.v1",
            source_key=f"{facility}:LK{i}",
            partition=0,
            offset=i,
            facility_code=facility,
            reasons=[{"field": "$", "rule": "json_invalid", "message": "m", "value": None}],
            original_b64="e30=",
            rejected_at=NOW + timedelta(minutes=i),
        )
        for i in range(3)
    ]
    for letter in letters:
        await store.add(letter)
    await store.add(letters[0])  # idempotent
    assert [d.dlq_id for d in await store.recent(facility, 10)] == [
        d.dlq_id for d in reversed(letters)
    ]
    assert len(await store.recent(facility, 2)) == 2
    await store.save(replace(letters[1], status="replayed", attempt=2))
    assert (await store.get(letters[1].dlq_id)).status == "replayed"


async def test_care_relations_are_pairs_of_person_and_facility(db):
    care = identity_ports(db).care
    person = str(uuid.uuid4())
    await care.add(person, "79001")
    await care.add(person, "79001")
    assert await care.has(person, "79001") and not await care.has(person, "79002")
