"""notify's stores, one suite run against the in-memory fakes and the MongoDB adapters
(FerretDB), so the fakes its unit tests rely on behave like the real thing, including many
concurrent adds into one due minute (FerretDB loses concurrent updates of one document)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hssk_kit import mongo
from hssk_notify.adapters import memory
from hssk_notify.adapters import mongo as notify_mongo
from hssk_notify.domain.state import CitizenState, Preferences
from hssk_notify.domain.tasks import Task
from hssk_notify.ports import WorkItem
from tests.conftest import MONGO_URL

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def stores(request, engines_up):
    if request.param == "memory":
        yield memory.in_memory_stores()
        return
    client, db = mongo.connect(MONGO_URL, f"hssk_test_{uuid.uuid4().hex[:8]}")
    yield notify_mongo.mongo_stores(db)
    await client.drop_database(db.name)
    await client.close()


def a_task(person: str, item: str = "blood_group") -> Task:
    return Task(id=f"{person}:incomplete_profile:{item}:2026-W50", person_id=person,
                kind="incomplete_profile", campaign="incomplete_profile:2026-Q4", item=item,
                due_at=NOW, window_end=NOW + timedelta(days=7), cause_event_id="c")  # fmt: skip


async def test_states_round_trip_and_are_swept_in_order(stores):
    people = sorted(str(uuid.uuid4()) for _ in range(7))
    prefs = Preferences(channels=("sms", "email"), email="a@example.org", language="en")
    for p in people:
        state = CitizenState(person_id=p, missing=("blood_group",), preferences=prefs,
                             campaigns={"incomplete_profile:2026-Q4": 1})  # fmt: skip
        await stores.states.save(state)
    assert await stores.states.get(people[0]) == state.model_copy(update={"person_id": people[0]})
    swept = [[s.person_id for s in b] async for b in stores.states.batches(3, after=people[1])]
    assert swept == [people[2:5], people[5:7]]


async def test_a_task_is_added_once_and_its_status_kept(stores):
    task = a_task(str(uuid.uuid4()))
    assert await stores.tasks.add(task) is True
    assert await stores.tasks.add(task.model_copy(update={"item": "other"})) is False
    sent = task.model_copy(update={"status": "sent", "channel": "zalo", "group": "reminded"})
    await stores.tasks.put(sent)
    assert await stores.tasks.get(task.id) == sent
    assert await stores.tasks.get_many([task.id, "nope"]) == [sent]
    [row] = [r for r in await stores.tasks.summary() if r["status"] == "sent"]
    assert (row["channel"], row["group"], row["completed"]) == ("zalo", "reminded", False)


async def test_many_concurrent_adds_into_one_minute_are_all_kept(stores):
    ids = [f"t{i}" for i in range(300)]

    async def add(i: int) -> None:
        await asyncio.sleep(i * 0.001)
        await stores.due.add("2030-01-01T00:00", ids[i])

    await asyncio.gather(*(add(i) for i in range(300)))
    await stores.due.add("2030-01-01T00:00", ids[0])  # again: kept once
    assert sorted(await stores.due.due("2030-01-01T00:00")) == sorted(ids)
    assert await stores.due.due("2030-01-01T00:01") == []
    assert await stores.due.cursor("dispatch") is None
    await stores.due.move("dispatch", "2030-01-01T00:01")
    assert await stores.due.cursor("dispatch") == "2030-01-01T00:01"


async def test_a_lease_term_has_one_holder_whoever_asks_at_once(stores):
    term = f"scheduler@{uuid.uuid4().int % 10**9}"
    holders = await asyncio.gather(*(stores.due.claim(term, f"r{i}") for i in range(8)))
    assert len(set(holders)) == 1 and holders[0] in {f"r{i}" for i in range(8)}
    assert await stores.due.claim(term, "late") == holders[0]
    await stores.due.forget(term)
    assert await stores.due.claim(term, "late") == "late"


async def test_a_numbers_log_keeps_the_last_24_hours(stores):
    number = f"849{uuid.uuid4().int % 10**8:08d}"
    for hours in (30, 5, 1):
        await stores.numbers.add(number, NOW - timedelta(hours=hours))
    await stores.numbers.add(number, NOW)
    assert await stores.numbers.sent(number) == [NOW - timedelta(hours=h) for h in (5, 1, 0)]


async def test_the_worklist_is_per_ward_oldest_first(stores):
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    ward = f"{uuid.uuid4().int % 10**5:05d}"
    await stores.worklist.put(WorkItem(b, ward, "failed", "", NOW))
    await stores.worklist.put(WorkItem(a, ward, "no_channel", "blood_group", NOW - timedelta(1)))
    await stores.worklist.put(WorkItem(c, "99999", "no_channel", "height", NOW))
    assert [i.person_id for i in await stores.worklist.for_ward(ward, 10)] == [a, b]
    await stores.worklist.remove(a)
    assert [i.person_id for i in await stores.worklist.for_ward(ward, 10)] == [b]
