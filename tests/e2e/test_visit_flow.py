"""A visit's whole journey through the running platform, as a hospital and a doctor see it."""

from __future__ import annotations

import asyncio
import json
import random
import shutil

import pytest

from hssk_cli import stack
from hssk_contracts import topics
from tests.conftest import BOOTSTRAP

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS = stack.BY_NAME["records"].url


def example_visit(uid: str, **data_changes) -> dict:
    """The committed contract example, as a hospital would send it, under a fresh visit id and
    a fresh citizen (random personal ID consistent with the example's birth data)."""
    from tests.conftest import ROOT

    doc = json.loads((ROOT / "contracts/examples/emr.visit.v1/minimal.json").read_text())
    visit_id = f"E2E{uid}"
    doc["event_id"] = f"e2e-{uid}-{random.randrange(10**9)}"
    doc["data"]["visit_id"] = visit_id
    doc["key"] = f"{doc['data']['facility_code']}:{visit_id}"
    doc["data"]["patient"]["identifiers"] = [
        {"type": "cccd", "value": f"079052{random.randrange(10**6):06d}"}
    ]
    doc["data"].update(data_changes)
    return doc


async def send(
    producer, doc: dict | bytes, key: str | None = None, topic: str = topics.EMR_VISIT.name
) -> None:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode()
    key = key or doc["key"]  # type: ignore[index]
    await (await producer.send(topic, raw, key=key.encode()))


def for_visit(key: str):
    return lambda e: e.data.visit_key == key


async def test_every_service_is_ready(http):
    for svc in stack.SERVICES:
        response = await http.get(f"{svc.url}/readyz")
        assert response.status_code == 200, (svc.name, response.text)
        assert response.json()["checks"] == {"kafka": "ok", "mongo": "ok", "consumer": "ok"}


async def test_visit_reaches_the_record_once_and_a_repeat_changes_nothing(
    producer, tail, http, token, uid
):
    changes = await tail(topics.RECORDS_CHANGE)
    doc = example_visit(uid)
    await send(producer, doc)

    [change] = await changes.wait_for(for_visit(doc["key"]), seconds=5)
    assert change.data.change == "visit_added"
    person_id = change.data.person_id
    doctor = token(role="doctor", facility=doc["data"]["facility_code"])
    record = (
        await http.get(
            f"{RECORDS}/v1/records/{person_id}", headers={"Authorization": f"Bearer {doctor}"}
        )
    ).json()
    assert [v["visit_id"] for v in record["encounters"]] == [doc["data"]["visit_id"]]
    assert record["identity"]["name"]["value"] == "Trần Văn Minh"
    assert record["identity"]["name"]["source"]["kind"] == "facility_reported"

    doc["event_id"] += "-again"  # the hospital sends the very same visit once more
    await send(producer, doc)
    await changes.poll(3)
    assert len([e for e in changes.events if for_visit(doc["key"])(e)]) == 1


@pytest.mark.skipif(
    shutil.which("kcat") is None, reason="kcat not installed (make test installs it)"
)
async def test_a_hospital_publishing_the_contract_example_with_kcat(tail, http, token, uid):
    changes = await tail(topics.RECORDS_CHANGE)
    doc = example_visit(uid)
    line = json.dumps(doc, ensure_ascii=False) + "\n"
    cmd = ["kcat", "-P", "-b", BOOTSTRAP, "-t", topics.EMR_VISIT.name, "-k", doc["key"]]
    kcat = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.PIPE)
    await asyncio.wait_for(kcat.communicate(line.encode()), 30)
    assert kcat.returncode == 0
    [change] = await changes.wait_for(for_visit(doc["key"]), seconds=5)
    doctor = token(role="doctor", facility=doc["data"]["facility_code"])
    response = await http.get(
        f"{RECORDS}/v1/records/{change.data.person_id}",
        headers={"Authorization": f"Bearer {doctor}"},
    )
    assert response.status_code == 200
    assert doc["data"]["visit_id"] in [v["visit_id"] for v in response.json()["encounters"]]


async def test_a_corrected_resend_supersedes_and_a_late_old_revision_is_ignored(
    producer, tail, http, token, uid
):
    changes = await tail(topics.RECORDS_CHANGE)
    first = example_visit(uid)
    await send(producer, first)
    [added] = await changes.wait_for(for_visit(first["key"]))

    corrected = json.loads(json.dumps(first))
    corrected["event_id"] += "-r2"
    corrected["data"].update(revision=2, main_icd10="I10", sent_at="2026-11-18T18:00:00+07:00")
    await send(producer, corrected)
    revised = await changes.wait_for(
        lambda e: for_visit(first["key"])(e) and e.data.change == "visit_revised"
    )
    assert revised[0].data.version == added.data.version + 1

    await send(producer, {**first, "event_id": first["event_id"] + "-late"})
    await changes.poll(2)
    assert len([e for e in changes.events if for_visit(first["key"])(e)]) == 2
    doctor = token(role="doctor", facility=first["data"]["facility_code"])
    record = (
        await http.get(
            f"{RECORDS}/v1/records/{added.data.person_id}",
            headers={"Authorization": f"Bearer {doctor}"},
        )
    ).json()
    [visit] = [v for v in record["encounters"] if v["visit_id"] == first["data"]["visit_id"]]
    assert (visit["revision"], visit["main_icd10"]) == (2, "I10")


async def test_malformed_visits_are_dead_lettered_and_do_not_block_the_partition(
    producer, tail, uid
):
    dlq, changes = await tail(topics.EMR_VISIT_DLQ), await tail(topics.RECORDS_CHANGE)
    good = example_visit(uid)
    key = good["key"]  # same key: same partition, so the good visit queues behind the bad ones
    no_id = example_visit(uid)
    no_id["data"]["patient"]["identifiers"] = []
    future = example_visit(uid, schema_version=1)
    future["schema_version"] = 2
    await send(producer, b'{"event_id": "broken', key=key)
    await send(producer, no_id, key=key)
    await send(producer, future, key=key)
    await send(producer, good)

    await changes.wait_for(for_visit(key))
    rejected = await dlq.wait_for(lambda e: e.data.source_key == key)
    await dlq.poll(1)
    rejected = [e for e in dlq.events if e.data.source_key == key]
    rules = [{r.rule for r in e.data.reasons} for e in rejected]
    assert rules == [{"json_invalid"}, {"too_short"}, {"schema_version_unsupported"}]
    fields = [e.data.reasons[0].field for e in rejected]
    assert fields == ["$", "data.patient.identifiers", "schema_version"]
    assert all(
        e.data.source_topic == topics.EMR_VISIT.name and e.data.offset is not None for e in rejected
    )
