"""Notify figures: the daily sweep over citizens' states (the real scheduler and adapters on
FerretDB, an acks=all publisher to a scratch topic) on a quiet day (nothing new to plan) and on
a Monday (every incomplete citizen owed this week's reminder: the sweep leaves a plan entry
each, and the morning's plan entries are then planned: task, due minute, event, state), with a
raw bound measured in the same run (the same documents read by one streamed `find`); and the
reaction of the running notify to a record change (published as records would) until its
ReminderSent, in the window."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hssk_cli import stack
from hssk_contracts import codec, topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    Completeness,
    ContactChanged,
    ContactData,
    RecordChanged,
    RecordChangedData,
)
from hssk_contracts.topics import Topic
from hssk_kit import devtokens, mongo
from hssk_kit.bus import Publisher
from hssk_notify import handlers
from hssk_notify.adapters import mongo as adapters
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import plan
from hssk_notify.domain.window import next_open
from hssk_notify.scheduler import SPREAD, Scheduler
from hssk_notify.stores import minute

SCRATCH = Topic("bench.notify.reminder.v1", "person_id", 6, ("bench",), ("bench",), "scratch")
VN = timezone(timedelta(hours=7))
LOAD_BATCH = 2000
REACTIONS = 40
STATES = 50_000
KEYS = (
    "notify_sweep_states",
    "notify_sweep_quiet_per_s",
    "notify_sweep_quiet_1m_minutes",
    "notify_sweep_monday_per_s",
    "notify_sweep_monday_1m_minutes",
    "notify_morning_plans_per_s",
    "notify_morning_plans_1m_minutes",
    "notify_raw_read_per_s",
    "ratio_notify_quiet_sweep_to_raw_read",
    "notify_reaction_p50_ms",
    "notify_reaction_p95_ms",
)
TABLE = """  notify daily sweep, {notify_sweep_states:,.0f} states (1,000,000 projected)
    a quiet day (nothing new to plan)       {notify_sweep_quiet_per_s:>10,.0f} /s  \
({notify_sweep_quiet_1m_minutes:.1f} min)
    a Monday (each owed a new reminder)     {notify_sweep_monday_per_s:>10,.0f} /s  \
({notify_sweep_monday_1m_minutes:.1f} min)
    then, from 07:00, each owed one planned  {notify_morning_plans_per_s:>10,.0f} /s  \
({notify_morning_plans_1m_minutes:.1f} min; the sends are the providers')
    raw streamed read of the states         {notify_raw_read_per_s:>10,.0f} /s  \
(quiet sweep / raw: {ratio_notify_quiet_sweep_to_raw_read:.2f})
  notify reaction, record change -> ReminderSent, in the window
    p50 / p95                               {notify_reaction_p50_ms:>10,.0f} / \
{notify_reaction_p95_ms:,.0f} ms
"""
DECIDED = ("ReminderSent", "ReminderSuppressed")


async def sweep_rate(states: int) -> dict[str, float]:
    client, db = mongo.connect(stack.MONGO_URL, f"hssk_bench_notify_{uuid.uuid4().hex[:6]}")
    publisher = Publisher(stack.BOOTSTRAP, "bench-notify")
    await publisher.start()

    async def publish(topic, event) -> None:  # the real producer, to a topic nobody reads
        await publisher.publish(SCRATCH if topic is topics.NOTIFY_REMINDER else topic, event)

    stores = adapters.mongo_stores(db)
    monday = datetime(2026, 12, 14, 6, 0, tzinfo=VN).astimezone(UTC)
    scheduler = Scheduler(
        stores=stores,
        dispatch=lambda task_id, now: asyncio.sleep(0, "later"),
        schedule=lambda state, tasks, now, index_due=True: handlers.schedule(
            state,
            tasks,
            stores,
            publish,
            now,
            "https://hssk.vn/me",
            lambda: None,
            index_due=index_due,
        ),
        clock=lambda: monday,
    )
    try:
        await _load(db, states, last_week=monday - timedelta(days=7))
        raw = await _raw_read(db)
        started = time.perf_counter()
        owed = await scheduler.sweep(monday, "bench-monday")
        monday_s = time.perf_counter() - started
        # The plan entries fall due from 07:00: plan each (the sends are stubbed: "later").
        await stores.due.move("dispatch", minute(next_open(monday)))
        after = next_open(monday) + timedelta(minutes=SPREAD)
        started = time.perf_counter()
        await scheduler.dispatch_due(after)
        morning_s = time.perf_counter() - started
        planned = await db["notify_tasks"].count_documents({})
        started = time.perf_counter()
        again = await scheduler.sweep(monday, "bench-quiet")  # everything planned already
        quiet_s = time.perf_counter() - started
    finally:
        await publisher.stop()
        await client.drop_database(db.name)
        await client.close()
    return {
        "notify_sweep_states": float(states),
        "notify_sweep_quiet_per_s": states / quiet_s,
        "notify_sweep_monday_per_s": states / monday_s,
        "notify_sweep_monday_owed": float(owed),
        "notify_sweep_monday_planned": float(planned),
        "notify_sweep_quiet_owed": float(again),
        "notify_morning_plans_per_s": planned / morning_s,
        "notify_morning_plans_1m_minutes": 1_000_000 / (planned / morning_s) / 60,
        "notify_raw_read_per_s": states / raw,
        "notify_sweep_quiet_1m_minutes": 1_000_000 / (states / quiet_s) / 60,
        "notify_sweep_monday_1m_minutes": 1_000_000 / (states / monday_s) / 60,
        "ratio_notify_quiet_sweep_to_raw_read": raw / quiet_s,
    }


async def _load(db, count: int, last_week: datetime) -> None:
    """States as a week of record changes leaves them: incomplete, last week's task planned."""
    batch: list[dict] = []
    for i in range(count):
        person = derive_event_id("bench-notify", str(i))
        state = CitizenState(person_id=person, version=3, ward_code="26734",
                             missing=("drug_allergy", "blood_group"), best_next="drug_allergy",
                             phone=f"849{i:08d}", contact_version=3, awaited_contact=3)  # fmt: skip
        ids = tuple(t.id for t in plan(state, last_week, "bench"))
        batch.append({"_id": person, **state.model_copy(update={"tasks": ids}).model_dump(
            mode="json")})  # fmt: skip
        if len(batch) == LOAD_BATCH or i == count - 1:
            await db["notify_states"].insert_many(batch, ordered=False)
            batch.clear()


async def _raw_read(db) -> float:
    started = time.perf_counter()
    async for _ in db["notify_states"].find({}, batch_size=500).sort("_id", 1):
        pass
    return time.perf_counter() - started


async def reaction_ms(keys_dir) -> dict[str, float]:
    """Record changes for new citizens with a phone, in the window, one at a time as records
    would publish them (contact, then change): milliseconds until notify's ReminderSent."""
    private, _ = devtokens.ensure_keys(keys_dir)
    operator = {"Authorization": f"Bearer {devtokens.mint(private, role='operator')}"}
    ten = datetime.now(UTC).astimezone(VN).replace(hour=10, minute=0)
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.put(f"{stack.BY_NAME['notify'].url}/v1/dev/clock",
                                json={"at": ten.isoformat()}, headers=operator)  # fmt: skip
        if answer.status_code != 200:
            print("hssk bench: notify's clock cannot be set; reaction not measured")
            return {}
    producer = AIOKafkaProducer(bootstrap_servers=stack.BOOTSTRAP, acks="all")
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.BOOTSTRAP, enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    parts = [TopicPartition(topics.NOTIFY_REMINDER.name, p) for p in range(6)]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:  # positions taken now: what follows is ours
        await consumer.position(tp)
    took: list[float] = []
    try:
        # A new day on notify's clock starts its daily sweep: the first change may wait behind
        # it (or behind the earlier figures' backlog). Not counted: the figure is the reaction.
        await _one_reaction(producer, consumer, REACTIONS, wait_s=180)
        for i in range(REACTIONS):
            took.append(await _one_reaction(producer, consumer, i))
    finally:
        await producer.stop()
        await consumer.stop()
    took.sort()
    return {
        "notify_reaction_p50_ms": took[len(took) // 2],
        "notify_reaction_p95_ms": took[int(len(took) * 0.95) - 1],
        "notify_reactions": float(len(took)),
    }


async def _one_reaction(producer, consumer, i: int, wait_s: float = 30) -> float:
    person = str(uuid.uuid4())
    contact = ContactChanged.new(
        event_id=str(uuid.uuid4()), producer="bench", key=person,
        data=ContactData(person_id=person, phone=f"0987{i:06d}", ward_code="26734", version=1),
    )  # fmt: skip
    change = RecordChanged.new(
        event_id=str(uuid.uuid4()), producer="bench", key=person,
        data=RecordChangedData(person_id=person, version=1, change="visit_added",
                               cause_event_id="bench", sections=["identity", "encounters"],
                               completeness=Completeness(filled=20, total=46,
                                   missing=["drug_allergy"], best_next="drug_allergy")),
    )  # fmt: skip
    await producer.send_and_wait(topics.RECORDS_CONTACT.name, codec.encode(contact),
                                 key=person.encode())  # fmt: skip
    started = time.perf_counter()
    await producer.send_and_wait(topics.RECORDS_CHANGE.name, codec.encode(change),
                                 key=person.encode())  # fmt: skip
    deadline = started + wait_s
    while time.perf_counter() < deadline:
        for records in (await consumer.getmany(timeout_ms=100)).values():
            for r in records:
                event = codec.decode(topics.NOTIFY_REMINDER.name, r.value)
                # sent, or held out (the campaign's 5 %): either way notify has decided
                if event.type in DECIDED and event.key == person:
                    return (time.perf_counter() - started) * 1000
    raise RuntimeError(f"no reminder for {person} within {wait_s:.0f} s")
