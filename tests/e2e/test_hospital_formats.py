"""Hospitals send what they already have: QĐ 130 XML and FHIR R4 bundles reach the record; the
same visit in both formats becomes the same canonical visit; bad bundles are dead-lettered."""

from __future__ import annotations

import base64
import json
import random
import re
from pathlib import Path

import pytest

from hssk_cli import stack
from hssk_contracts import topics
from hssk_ingest_emr.domain import qd130
from tests.e2e.test_visit_flow import for_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
SAMPLES = Path(__file__).resolve().parents[2] / "services/ingest-emr/tests/samples"
RECORDS = stack.BY_NAME["records"].url


def tables(case: str) -> dict[str, str]:
    folder = SAMPLES / "qd130" / case
    return {f.stem: f.read_text(encoding="utf-8") for f in sorted(folder.glob("XML*.xml"))}


def fresh(tables_: dict[str, str], old_id: str, new_id: str, old_cccd: str) -> bytes:
    cccd = old_cccd[:6] + f"{random.randrange(10**6):06d}"
    changed = {k: v.replace(old_id, new_id).replace(old_cccd, cccd) for k, v in tables_.items()}
    return qd130.build_bundle(changed)


async def test_a_qd130_bundle_reaches_the_record(producer, tail, http, token, uid):
    changes = await tail(topics.RECORDS_CHANGE)
    visit_id = f"XML{uid}"
    raw = fresh(tables("same-visit"), "NT2026111800045", visit_id, "079052001234")
    key = f"79001:{visit_id}"
    await send(producer, raw, key=key, topic=topics.EMR_VISIT_XML130.name)
    [change] = await changes.wait_for(for_visit(key))
    doctor = {"Authorization": f"Bearer {token(role='doctor', facility='79001')}"}
    record = (
        await http.get(f"{RECORDS}/v1/records/{change.data.person_id}", headers=doctor)
    ).json()
    [visit] = [v for v in record["encounters"] if v["visit_id"] == visit_id]
    assert (visit["main_icd10"], visit["standard"], visit["revisit_date"]) == (
        "I10",
        "qd3176" if "NHOM_MAU" in tables("same-visit")["XML1"] else "qd130",
        "2026-12-18",
    )


async def test_a_fhir_bundle_reaches_the_record(producer, tail, uid):
    changes = await tail(topics.RECORDS_CHANGE)
    bundle = (SAMPLES / "same-visit" / "fhir.json").read_text(encoding="utf-8")
    visit_id = f"FHIR{uid}"
    cccd = "079052" + f"{random.randrange(10**6):06d}"
    raw = bundle.replace("NT2026111800045", visit_id).replace("079052001234", cccd).encode()
    key = f"79001:{visit_id}"
    await send(producer, raw, key=key, topic=topics.EMR_VISIT_FHIR.name)
    [change] = await changes.wait_for(for_visit(key))
    assert change.data.change == "visit_added"


async def test_bad_bundles_are_dead_lettered_with_their_facility(producer, tail, uid):
    dlq = await tail(topics.EMR_VISIT_DLQ)
    bomb = (SAMPLES / "qd130" / "raw" / "entity-bomb.xml").read_bytes()
    key = f"79001:BOMB{uid}"
    await send(producer, bomb, key=key, topic=topics.EMR_VISIT_XML130.name)
    [event] = await dlq.wait_for(lambda e: e.data.source_key == key)
    assert event.data.reasons[0].rule == "xml_entities_forbidden"
    no_tz = json.loads((SAMPLES / "same-visit" / "fhir.json").read_text(encoding="utf-8"))
    raw = json.dumps(no_tz).replace("+07:00", "").encode()
    key = f"79001:NOTZ{uid}"
    await send(producer, raw, key=key, topic=topics.EMR_VISIT_FHIR.name)
    [event] = await dlq.wait_for(lambda e: e.data.source_key == key)
    assert "timezone_required" in {r.rule for r in event.data.reasons}


def once(events: list) -> list:
    """Events as delivered at least once: one per event id."""
    return list({e.event_id: e for e in events}.values())


def day_file(uid: str, *kinds: str) -> tuple[bytes, list[str]]:
    """A hospital's file of several HOSO (a day's batch), each a fresh visit of a fresh
    citizen: "good" ones, and "bad" ones with an impossible admission time (NGAY_VAO)."""
    files, keys = [], []
    for i, kind in enumerate(kinds):
        visit_id = f"DAY{uid}{i}"
        made = tables("same-visit")
        if kind == "bad":
            made["XML1"] = re.sub(r"<NGAY_VAO>\d+</NGAY_VAO>", "<NGAY_VAO>202613990000</NGAY_VAO>",
                                  made["XML1"])  # fmt: skip
        files.append(fresh(made, "NT2026111800045", visit_id, "079052001234"))
        keys.append(f"79001:{visit_id}")
    return qd130.join(files), keys


async def test_a_days_file_becomes_one_visit_per_hoso_and_a_bad_one_is_dead_lettered_alone(
    producer, tail, uid
):
    changes, dlq = await tail(topics.RECORDS_CHANGE), await tail(topics.EMR_VISIT_DLQ)
    raw, (first, bad, last) = day_file(uid, "good", "bad", "good")
    key = f"79001:FILE{uid}"
    await send(producer, raw, key=key, topic=topics.EMR_VISIT_XML130.name)
    for visit_key in (first, last):  # added once each (a redelivery repeats an event's id)
        found = await changes.wait_for(for_visit(visit_key), 30)
        assert len(once([e for e in found if e.data.change == "visit_added"])) == 1
    [letter] = once(await dlq.wait_for(lambda e: e.data.source_key == key, 30))
    assert letter.data.part == 1 and "NGAY_VAO" in letter.data.reasons[0].field
    alone = base64.b64decode(letter.data.original_b64)  # that visit alone, ready to replay
    assert qd130.split(alone) == [alone]
    assert qd130.parse_bundle(alone, received_at=letter.occurred_at).visit_id == bad.split(":")[1]
    await changes.poll(1.0)
    assert not [e for e in changes.events if e.data.visit_key == bad]


async def test_a_days_file_over_http_answers_each_visit(http, token, uid):
    ingest = stack.BY_NAME["ingest-emr"].url
    hospital = {"Authorization": f"Bearer {token(role='hospital', facility='79001')}",
                "Content-Type": "application/xml"}  # fmt: skip
    raw, keys = day_file(uid, "good", "bad", "good")
    answer = await http.post(f"{ingest}/v1/visits/qd130", content=raw, headers=hospital)
    assert answer.status_code == 202, answer.text
    visits = answer.json()["visits"]
    assert [(v["part"], v["status"]) for v in visits] == [
        (0, "accepted"), (1, "rejected"), (2, "accepted")]  # fmt: skip
    assert [visits[0]["visit_key"], visits[2]["visit_key"]] == [keys[0], keys[2]]
    assert visits[1]["problems"][0]["field"].startswith("XML1.NGAY_VAO")
    again = await http.post(f"{ingest}/v1/visits/qd130", content=raw, headers=hospital)
    assert [v["status"] for v in again.json()["visits"]] == ["duplicate", "rejected", "duplicate"]
    bad_only, _ = day_file(uid + "B", "bad", "bad")
    refused = await http.post(f"{ingest}/v1/visits/qd130", content=bad_only, headers=hospital)
    assert refused.status_code == 422
    fields = [p["field"] for p in refused.json()["problems"]]
    assert fields[0].startswith("HOSO[0].") and any(f.startswith("HOSO[1].") for f in fields)
