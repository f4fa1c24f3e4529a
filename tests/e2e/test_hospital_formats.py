"""Hospitals send what they already have: QĐ 130 XML and FHIR R4 bundles reach the record; the
same visit in both formats becomes the same canonical visit; bad bundles are dead-lettered."""

from __future__ import annotations

import json
import random
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
