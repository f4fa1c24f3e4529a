"""Statistics on the running platform, as a city leader and a ward officer read them: visits
published as hospitals do reach the figures; a ward with 4 diabetic citizens shows no number for
that cell, and its province's total minus the other wards does not give it back; another ward's
officer is refused; and replaying records.change.v1 from the beginning changes no figure."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import random

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from hssk_cli import procs, stack, synth, watch
from hssk_cli.paths import Layout, repo_root
from hssk_contracts import topics
from hssk_records.domain.stats import regions
from tests.conftest import BOOTSTRAP

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS = stack.BY_NAME["records"].url
PROVINCE = "38"  # Thanh Hóa: 166 communes, which no other test or the demo uses
STATS_GROUP = "records-stats"


def bearer(token, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


async def stats(http, headers, query: str) -> dict:
    answer = await http.get(f"{RECORDS}/v1/stats/{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def unused_wards(http, leader, n: int) -> list[str]:
    known = {r["area"] for r in (await stats(http, leader, "completeness?level=ward"))["rows"]}
    wards = [w for w in regions.wards_of(PROVINCE) if w not in known]
    return random.sample(wards, n)


async def publish_ward(ward: str, people: int, diabetic: int, rng: random.Random) -> set[str]:
    """The ward's citizens, each with a visit; answers the visits' keys."""
    events = []
    for i in range(people):
        citizen = dataclasses.replace(synth.citizen(rng), commune_code=ward, province=PROVINCE)
        visit = synth.visit(citizen, rng, visit_id=f"STATS-{ward}-{i}-{rng.randrange(10**9)}")
        code = "E11.9" if i < diabetic else "J06.9"
        events.append(synth.submitted(visit.model_copy(update={"main_icd10": code})))
    await watch.publish_visits(BOOTSTRAP, events)
    return {e.key for e in events}


async def until_counted(http, leader, expected: dict[str, int]) -> dict:
    """Once the statistics folded all records announced: each ward's count as published, or
    hidden (the gate may take any ward as the partner of a small cell elsewhere in the city,
    and other tests' wards are counted too)."""
    await caught_up(STATS_GROUP, topics.RECORDS_CHANGE.name)
    for _ in range(40):  # the API's figures are refreshed every second
        answer = await stats(http, leader, f"completeness?level=ward&province={PROVINCE}")
        got = {r["area"]: r["citizens"] for r in answer["rows"] if r["area"] in expected}
        # the population and its conditions are rebuilt after completeness: wait for them too
        query = f"conditions?condition=diabetes&by=ward&province={PROVINCE}"
        people = {r["area"] for r in (await stats(http, leader, query))["rows"]}
        if (
            set(got) == set(expected)
            and all(got[w] in (n, None) for w, n in expected.items())
            and set(expected) <= people
        ):
            return answer
        await asyncio.sleep(0.5)
    raise AssertionError(f"the figures never showed {expected}: {got}")


async def test_a_small_cell_stays_hidden_and_cannot_be_subtracted_out(http, token):
    leader = bearer(token, role="leader")
    tiny, big, mid = await unused_wards(http, leader, 3)
    rng = random.Random()
    keys: set[str] = set()
    watcher = await watch.change_watcher(BOOTSTRAP)  # before publishing: no change is missed
    try:
        for ward, people, diabetic in ((tiny, 12, 4), (big, 25, 12), (mid, 20, 11)):
            keys |= await publish_ward(ward, people, diabetic, rng)
        seen = await watch.wait_for_changes(watcher, keys, timeout_s=120)
    finally:
        await watcher.stop()
    assert len(seen) == len(keys), f"{len(keys) - len(seen)} visits never reached a record"
    table = await until_counted(http, leader, {tiny: 12, big: 25, mid: 20})
    assert {r["area"]: r["name"] for r in table["rows"]}[tiny] == regions.name_of(tiny)
    assert table["fresh_as_of"] and table["min_cell"] == 10

    query = f"conditions?condition=diabetes&province={PROVINCE}"
    wards = {r["area"]: r for r in (await stats(http, leader, f"{query}&by=ward"))["rows"]}
    assert wards[tiny]["citizens"] is None and wards[tiny]["per_1000"] is None
    provinces = (await stats(http, leader, "conditions?condition=diabetes&by=province"))["rows"]
    [province] = [r for r in provinces if r["area"] == PROVINCE]
    [city] = (await stats(http, leader, "conditions?condition=diabetes&by=city"))["rows"]
    # Whatever is shown, no total minus what is shown beside it is a small number: the 4 is
    # hidden with a partner, or its province is hidden too (and then among the provinces).
    for total, parts in ((province, wards.values()), (city, provinces)):
        if total["citizens"] is not None:
            hidden = total["citizens"] - sum(r["citizens"] or 0 for r in parts)
            assert hidden not in range(1, 10), (total, hidden)
            assert sum(r["citizens"] is None for r in parts) != 1  # never one alone

    as_csv = await http.get(f"{RECORDS}/v1/stats/{query}&by=ward",
                            headers={**leader, "Accept": "text/csv"})  # fmt: skip
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = {r["area"]: r for r in csv.DictReader(io.StringIO(as_csv.text))}
    assert rows[tiny]["citizens"] == "suppressed"

    officer = bearer(token, role="ward_officer", ward=tiny)
    mine = await stats(http, officer, f"completeness?level=ward&ward={tiny}")
    assert [r["area"] for r in mine["rows"]] == [tiny]
    for query in (f"completeness?level=ward&ward={big}", "completeness?level=province",
                  f"conditions?by=ward&ward={big}"):  # fmt: skip
        refused = await http.get(f"{RECORDS}/v1/stats/{query}", headers=officer)
        assert refused.status_code == 403, query


async def test_replaying_the_changes_from_the_beginning_changes_no_figure(http, token):
    leader = bearer(token, role="leader")
    queries = ["completeness?level=ward", "conditions?by=province", "visits?level=province"]
    await settled(STATS_GROUP, topics.RECORDS_CHANGE.name)  # nothing still on its way
    await asyncio.sleep(2)  # one refresh of the API's figures
    before = [await stats(http, leader, q) for q in queries]
    layout = Layout(repo_root())
    await asyncio.to_thread(procs.stop, layout, "records")
    try:
        await _rewind(STATS_GROUP, topics.RECORDS_CHANGE.name)
    finally:
        await asyncio.to_thread(stack.start_services, layout, ["records"])
    await caught_up(STATS_GROUP, topics.RECORDS_CHANGE.name)
    for _ in range(30):  # the restarted API loads its figures, then rebuilds the population's
        await asyncio.sleep(1)
        after = [await stats(http, leader, q) for q in queries]
        if after == before:
            break
    assert after == before


async def _rewind(group: str, topic: str) -> None:
    """What an operator does to replay a topic: the group's offsets back to the beginning
    (its consumer stopped)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        for _ in range(120):  # the stopped consumer has left the group
            [described] = (await admin.describe_consumer_groups([group]))[0].groups
            if described[2] in ("Empty", "Dead"):
                break
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group,
                                enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    try:
        parts = _partitions(topic)
        consumer.assign(parts)
        await consumer.commit({tp: 0 for tp in parts})
    finally:
        await consumer.stop()


async def caught_up(group: str, topic: str) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = _partitions(topic)
        ends = await consumer.end_offsets(parts)
    finally:
        await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        for _ in range(240):
            done = await admin.list_consumer_group_offsets(group)
            if all(done.get(tp) and done[tp].offset >= ends[tp] for tp in parts):
                return
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    raise AssertionError(f"the statistics never caught up with {topic}")


async def settled(group: str, topic: str, quiet_s: float = 3.0) -> None:
    """The group has caught up and no new message came for `quiet_s` seconds (a citizen's
    later changes, from identity, come after their visit's)."""
    for _ in range(60):
        consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
        await consumer.start()
        try:
            first = await consumer.end_offsets(_partitions(topic))
            await caught_up(group, topic)
            await asyncio.sleep(quiet_s)
            if await consumer.end_offsets(_partitions(topic)) == first:
                await caught_up(group, topic)
                return
        finally:
            await consumer.stop()
    raise AssertionError(f"{topic} never went quiet")


def _partitions(topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in range(topics.BY_NAME[topic].partitions)]
