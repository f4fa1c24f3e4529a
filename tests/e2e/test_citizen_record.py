"""A citizen's record used as the city means it, on the running platform: a ward officer hands
out a QR code, the citizen opens their record with it (once), declares what they know, a doctor
sees it with its badge, a stranger is told nothing, break-glass and a share show up in the
citizen's own access log, the record can be read as it was, and taken away as FHIR."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle

from hssk_cli import stack
from hssk_records.domain.corrections import Correction
from hssk_records.entrypoints.answers import (
    AccessLogPage,
    Corrections,
    EmergencyOpened,
    QrIssued,
    RecordView,
    Revoked,
    ShareMade,
    Shares,
)
from tests.citizens import FACILITY, OTHER_FACILITY, WARD, Citizen, make_citizen

pytestmark = pytest.mark.usefixtures("platform_up")
RECORDS = stack.BY_NAME["records"].url


@pytest.fixture
async def citizen() -> Citizen:
    return await make_citizen()


def bearer(token, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


async def session_by_qr(http, token, citizen: Citizen) -> dict[str, str]:
    officer = bearer(token, role="ward_officer", ward=WARD)
    issued = await http.post(f"{RECORDS}/v1/records/{citizen.person_id}/qr", headers=officer)
    assert issued.status_code == 201, issued.text
    body = QrIssued.model_validate(issued.json()).model_dump()  # as documented, exactly
    assert body["url"].endswith(body["token"]) and body["svg"].startswith("<svg")
    opened = await http.post(f"{RECORDS}/v1/qr/redeem", json={"token": body["token"]})
    assert opened.status_code == 200, opened.text
    again = await http.post(f"{RECORDS}/v1/qr/redeem", json={"token": body["token"]})
    assert again.status_code == 409 and "đã được dùng" in again.json()["message"]
    assert again.headers["content-type"] == "application/problem+json"  # like every error
    assert again.json()["detail"] == again.json()["message"] and again.json()["message_en"]
    return {"Authorization": f"Bearer {opened.json()['access_token']}"}


async def test_a_citizen_completes_their_record_and_sees_who_looked(http, token, citizen):
    me = await session_by_qr(http, token, citizen)
    before = RecordView.model_validate((await http.get(f"{RECORDS}/v1/me", headers=me)).json())
    mark = datetime.now(UTC)
    await asyncio.sleep(0.05)

    wrong = await http.patch(f"{RECORDS}/v1/me/declaration", json={"height_cm": 700}, headers=me)
    assert wrong.status_code == 422
    [problem] = wrong.json()["problems"]
    assert problem["field"] == "height_cm" and "từ 30 đến 250 cm" in problem["message"]
    assert (await http.get(f"{RECORDS}/v1/me", headers=me)).json()["version"] == before.version

    declared = {
        "height_cm": 158,
        "weight_kg": 52,
        "blood_group": "O+",
        "drug_allergies": {"items": [{"substance": "Penicillin", "reaction": "nổi mẩn"}]},
        "chronic_conditions": {"none_known": True},
    }
    after = await http.patch(f"{RECORDS}/v1/me/declaration", json=declared, headers=me)
    assert after.status_code == 200, after.text
    assert after.json()["completeness"]["filled"] > before.completeness.filled

    doctor = bearer(token, role="doctor", facility=FACILITY)
    seen = (await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=doctor)).json()
    allergy = seen["alerts"]["drug_allergies"]
    assert allergy["value"]["items"][0]["substance"] == "Penicillin"
    assert (allergy["source"]["kind"], allergy["source"]["badge"]) == (
        "self_declared",
        "người dân tự khai",
    )
    assert seen["alerts"]["chronic_conditions"]["status"] in ("none_known", "recorded")

    then = await http.get(
        f"{RECORDS}/v1/records/{citizen.person_id}",
        params={"as_of": mark.isoformat()},
        headers=doctor,
    )
    assert then.status_code == 200
    assert then.json()["alerts"]["drug_allergies"]["status"] == "not_recorded"
    assert then.json()["version"] == before.version

    stranger = bearer(token, role="citizen", person_id="00000000-0000-4000-8000-0000000000aa")
    theirs = await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=stranger)
    assert theirs.status_code == 404
    unrelated = bearer(
        token, role="doctor", facility=OTHER_FACILITY, subject=f"bs-{citizen.person_id[:6]}"
    )
    refused = await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=unrelated)
    assert refused.status_code == 403 and "emergency-access" in refused.json()["message"]

    reason = {"purpose": "unconscious_patient", "reason": "bệnh nhân hôn mê sau tai nạn giao thông"}
    opened = await http.post(
        f"{RECORDS}/v1/records/{citizen.person_id}/emergency-access", json=reason, headers=unrelated
    )
    assert opened.status_code == 201
    EmergencyOpened.model_validate(opened.json())
    assert (
        await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=unrelated)
    ).status_code == 200

    shared = (
        await http.post(
            f"{RECORDS}/v1/me/shares", json={"scope": "summary", "hours": 2}, headers=me
        )
    ).json()
    ShareMade.model_validate(shared)
    mine = Shares.model_validate((await http.get(f"{RECORDS}/v1/me/shares", headers=me)).json())
    assert [x.share_id for x in mine.items if x.active] == [shared["share_id"]]
    other_doctor = bearer(token, role="doctor", facility="79077")
    summary = await http.get(f"{RECORDS}/v1/shared/{shared['token']}", headers=other_doctor)
    assert summary.status_code == 200 and summary.json()["scope"] == "summary"
    assert "encounters" not in summary.json()
    revoked = await http.delete(f"{RECORDS}/v1/me/shares/{shared['share_id']}", headers=me)
    assert revoked.status_code == 200 and Revoked.model_validate(revoked.json()).revoked
    gone = await http.get(f"{RECORDS}/v1/shared/{shared['token']}", headers=other_doctor)
    assert gone.status_code == 404

    log = await _log(
        http,
        me,
        lambda b: {"share.use", "record.emergency_access"} <= {e["action"] for e in b["entries"]},
    )
    texts = " ".join(e["text_vi"] for e in log["entries"])
    assert "cấp cứu" in texts and "chia sẻ" in texts and "bị từ chối" in texts
    assert log["emergencies"], "the emergency access is pinned"

    op = bearer(token, role="operator")
    check = await http.post(f"{RECORDS}/v1/records/{citizen.person_id}/rebuild-check", headers=op)
    assert check.json()["equal"] is True  # the stored record is what its history makes

    exported = await http.get(f"{RECORDS}/v1/me/export", params={"format": "fhir"}, headers=me)
    bundle = Bundle.model_validate(exported.json())
    assert bundle.type == "document"
    sections = {s.code.coding[0].code for s in bundle.entry[0].resource.section}
    assert {"11450-4", "48765-2", "10160-0"} <= sections


async def _log(http, me, ready) -> dict:
    for _ in range(100):
        body = (await http.get(f"{RECORDS}/v1/me/access-log", headers=me)).json()
        if ready(body):
            AccessLogPage.model_validate(body)  # the shape the OpenAPI documents, exactly
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"the access log never showed it: {body['counts']}")


async def test_a_citizen_asks_for_a_correction_routed_to_the_owner(http, token, citizen):
    me = bearer(token, role="citizen", person_id=citizen.person_id)
    made = await http.post(
        f"{RECORDS}/v1/me/corrections",
        json={"field": "admitted_at", "proposed": "2026-11-18 14:00"},
        headers=me,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["owner_kind"], body["owner"]) == ("facility", FACILITY)
    Correction.model_validate(body)
    mine = (await http.get(f"{RECORDS}/v1/me/corrections", headers=me)).json()
    listed = Corrections.model_validate(mine).model_dump(mode="json")["items"]
    assert body["correction_id"] in {c["correction_id"] for c in listed}
