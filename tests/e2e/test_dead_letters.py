"""An operator finds a rejected visit, sees why, and replays it after the hospital's fix."""

from __future__ import annotations

import json

import pytest

from hssk_cli import stack
from hssk_contracts import topics
from tests.e2e.test_visit_flow import example_visit, for_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
INGEST = stack.BY_NAME["ingest-emr"].url


async def test_list_then_replay_a_fixed_dead_letter(producer, tail, http, token, uid):
    dlq, changes = await tail(topics.EMR_VISIT_DLQ), await tail(topics.RECORDS_CHANGE)
    doc = example_visit(uid)
    doc["data"]["discharged_at"] = "2026-11-18T12:00:00+07:00"  # before admission at 14:00
    await send(producer, doc)
    [rejected] = await dlq.wait_for(lambda e: e.data.source_key == doc["key"])
    assert rejected.data.facility_code == doc["data"]["facility_code"]

    op = {"Authorization": f"Bearer {token(role='operator')}"}
    listed = (
        await http.get(
            f"{INGEST}/v1/dlq",
            headers=op,
            params={
                "facility": doc["data"]["facility_code"],
                "reason": "discharge_before_admission",
            },
        )
    ).json()
    assert rejected.event_id in [d["dlq_id"] for d in listed["items"]]
    doctor = {"Authorization": f"Bearer {token(role='doctor', facility='01001')}"}
    assert (await http.get(f"{INGEST}/v1/dlq", headers=doctor)).status_code == 403

    again = await http.post(f"{INGEST}/v1/dlq/{rejected.event_id}/replay", headers=op)
    assert again.status_code == 422
    assert again.json()["problems"][0]["rule"] == "discharge_before_admission"

    doc["data"]["discharged_at"] = "2026-11-18T16:00:00+07:00"  # the hospital's correction
    fixed = await http.post(
        f"{INGEST}/v1/dlq/{rejected.event_id}/replay",
        headers=op,
        json={"corrected_payload": json.dumps(doc, ensure_ascii=False)},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["status"] == "replayed"
    await changes.wait_for(for_visit(doc["key"]))
    letter = (await http.get(f"{INGEST}/v1/dlq/{rejected.event_id}", headers=op)).json()
    assert letter["status"] == "replayed" and len(letter["history"]) == 2
