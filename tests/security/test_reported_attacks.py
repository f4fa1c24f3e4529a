"""Each attack reported against the platform (issue 9), replayed on the running stack as the
attacker or the careless hospital system did it. Each of these failed before the fix: a 500, a
worker down, a lookup that wrote, an existence oracle, a log that hid a read."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from hssk_cli import stack
from tests.e2e.test_hospital_formats import fresh, tables
from tests.e2e.test_visit_flow import example_visit
from tests.security.conftest import FACILITY, OTHER_FACILITY, Citizen

pytestmark = pytest.mark.usefixtures("platform_up")
IDENTITY, RECORDS = stack.BY_NAME["identity"].url, stack.BY_NAME["records"].url
INGEST, NOTIFY = stack.BY_NAME["ingest-emr"].url, stack.BY_NAME["notify"].url
JSON = {"content-type": "application/json"}


def bearer(token, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


async def test_a_lone_surrogate_or_control_name_at_the_gateway_is_a_422(http, token):
    hospital = {**bearer(token, role="hospital", facility=FACILITY), **JSON}
    for name in ("Nguy\\ud800n", "\\u001d", " " * 300 + "An"):
        doc = example_visit(uuid.uuid4().hex[:10].upper())
        raw = (
            json.dumps(doc["data"], ensure_ascii=False)
            .replace('"Trần Văn Minh"', f'"{name}"')
            .encode()
        )
        answer = await http.post(f"{INGEST}/v1/visits", content=raw, headers=hospital)
        assert answer.status_code == 422, answer.text  # told no, instead of 202 then lost
        assert answer.json()["problems"][0]["field"].endswith("name")


async def test_broken_json_and_surrogates_in_ids_are_422s_not_500s(http, token):
    op = {**bearer(token, role="operator"), **JSON}
    cases = [
        ("POST", f"{IDENTITY}/v1/resolve", b'{"name": "An", '),
        ("POST", f"{IDENTITY}/v1/resolve", b'{"name": "\\u001d"}'),
        ("POST", f"{IDENTITY}/v1/merges", b'{"survivor_id": "\\ud800", "merged_id": "x"}'),
        ("POST", f"{IDENTITY}/v1/review-queue/{uuid.uuid4()}/resolve",
         b'{"resolution": "link", "link_to": "\\udfff"}'),
        ("POST", f"{INGEST}/v1/dlq/{uuid.uuid4()}/replay", b'{"corrected_payload": "\\ud800"}'),
    ]  # fmt: skip
    for method, url, raw in cases:
        answer = await http.request(method, url, content=raw, headers=op)
        assert answer.status_code == 422, (url, answer.text)
        answer.json()  # an answer that can be read, whatever was echoed


async def test_a_hospital_posting_another_facilitys_bundle_is_refused_not_crashed(http, token):
    other = bearer(token, role="hospital", facility=OTHER_FACILITY)
    raw = fresh(tables("same-visit"), "NT2026111800045", f"X{uuid.uuid4().hex[:8]}", "079052001234")
    answer = await http.post(f"{INGEST}/v1/visits/qd130", content=raw,
                             headers={**other, "content-type": "application/xml"})  # fmt: skip
    assert answer.status_code == 403 and FACILITY in answer.json()["message"]


async def test_a_lookup_attaches_nothing(http, token, citizen: Citizen):
    other_hospital = {**bearer(token, role="hospital", facility=OTHER_FACILITY), **JSON}
    patient = citizen.visit["data"]["patient"]
    passport = {"type": "passport", "value": f"B{uuid.uuid4().int % 10**7:07d}"}
    body = {"name": patient["name"], "identifiers": [*patient["identifiers"], passport]}
    found = await http.post(f"{IDENTITY}/v1/resolve", json=body, headers=other_hospital)
    assert found.json()["person_id"] == citizen.person_id
    person = await http.get(f"{IDENTITY}/v1/persons/{citizen.person_id}",
                            headers=bearer(token, role="operator"))  # fmt: skip
    assert passport not in person.json()["identifiers"]


async def test_a_registration_adds_identifiers_only_for_the_hospitals_own_patient(
    http, token, citizen: Citizen
):
    patient = citizen.visit["data"]["patient"]
    op = bearer(token, role="operator")

    async def register(facility: str) -> tuple[dict, dict]:
        passport = {"type": "passport", "value": f"B{uuid.uuid4().int % 10**7:07d}"}
        body = {"name": patient["name"], "create": True,
                "identifiers": [*patient["identifiers"], passport]}  # fmt: skip
        hospital = bearer(token, role="hospital", facility=facility)
        answer = (await http.post(f"{IDENTITY}/v1/resolve", json=body, headers=hospital)).json()
        return answer, passport

    other, refused = await register(OTHER_FACILITY)
    assert other["person_id"] == citizen.person_id and other["not_linked"]
    own, added = await register(FACILITY)  # the facility that sent the citizen's visit
    assert own["not_linked"] is None
    person = (await http.get(f"{IDENTITY}/v1/persons/{citizen.person_id}", headers=op)).json()
    assert added in person["identifiers"] and refused not in person["identifiers"]


@pytest.mark.parametrize("reason", ["." * 10, "\u200b" * 10, "aaaaaaaaaaaa", "cấp cứu"])
async def test_break_glass_needs_a_reason_in_real_words(http, token, citizen, reason):
    doctor = bearer(token, role="doctor", facility=OTHER_FACILITY)
    body = {"purpose": "unconscious_patient", "reason": reason}
    url = f"{RECORDS}/v1/records/{citizen.person_id}/emergency-access"
    answer = await http.post(url, json=body, headers=doctor)
    assert answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert "Lý do" in problem["message"] and "reason" in problem["message_en"]


async def test_a_flood_of_denials_cannot_hide_an_emergency_read(http, token, citizen):
    """101 refused reads after an emergency read: the citizen still sees it, pinned, and every
    entry is reachable by paging. Reads in identity and notify are in the same log."""
    doctor = bearer(
        token, role="doctor", facility=OTHER_FACILITY, subject=f"bs-{uuid.uuid4().hex[:6]}"
    )
    reason = {"purpose": "unconscious_patient", "reason": "bệnh nhân hôn mê, cần tiền sử dị ứng"}
    opened = await http.post(f"{RECORDS}/v1/records/{citizen.person_id}/emergency-access",
                             json=reason, headers=doctor)  # fmt: skip
    assert opened.status_code == 201
    assert (
        await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=doctor)
    ).status_code == 200
    stranger = bearer(token, role="citizen", person_id=str(uuid.uuid4()))
    for _ in range(101):
        refused = await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=stranger)
        assert refused.status_code == 404
    op = bearer(token, role="operator")
    await http.get(f"{IDENTITY}/v1/persons/{citizen.person_id}", headers=op)
    await http.get(f"{NOTIFY}/v1/reminders/{citizen.person_id}", headers=op)
    mine = bearer(token, role="citizen", person_id=citizen.person_id)

    def complete(body: dict) -> bool:
        services = {e["service"] for e in body["entries"]}
        return body["counts"].get("denied", 0) >= 101 and {"identity", "notify"} <= services

    log = await _log_when(http, mine, citizen.person_id, complete)
    reads = [e for e in log["emergencies"] if e["action"] == "record.read"]
    assert reads and reads[0]["reason"].startswith("unconscious_patient: bệnh nhân hôn mê")
    seen, before = 0, None
    while True:
        params = {"limit": 100, **({"before": before} if before else {})}
        page = (await http.get(f"{RECORDS}/v1/me/access-log",
                               params=params, headers=mine)).json()  # fmt: skip
        seen += len(page["entries"])
        if not (before := page["next_before"]):
            break
    assert seen == page["total"] >= 104
    verdict = await http.get(f"{RECORDS}/v1/access-logs/{citizen.person_id}/verify", headers=op)
    assert verdict.json()["intact"] is True


async def _log_when(http, headers, person_id, ready) -> dict:
    for _ in range(100):
        body = (await http.get(f"{RECORDS}/v1/me/access-log", headers=headers)).json()
        if ready(body):
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"the access log never showed it: {body['counts']}")


async def test_no_existence_oracle(http, token, citizen):
    stranger = bearer(token, role="citizen", person_id=str(uuid.uuid4()))
    theirs = await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=stranger)
    nobodys = await http.get(f"{RECORDS}/v1/records/{uuid.uuid4()}", headers=stranger)
    assert (theirs.status_code, theirs.json()) == (nobodys.status_code, nobodys.json())
    doctor = bearer(token, role="doctor", facility="79088")
    unrelated = await http.get(f"{RECORDS}/v1/records/{citizen.person_id}", headers=doctor)
    unknown = await http.get(f"{RECORDS}/v1/records/{uuid.uuid4()}", headers=doctor)
    assert unrelated.status_code == unknown.status_code == 403


async def test_times_and_names_are_what_they_claim(http, token):
    op = bearer(token, role="operator")
    for until in ("0.5", "1700000000", "2026-11-22T08:00:00"):  # seconds, or no offset
        answer = await http.get(f"{INGEST}/v1/dlq", params={"until": until}, headers=op)
        assert answer.status_code == 422, until
    padded = {"name": "A" * 250 + " " * 10, "identifiers": []}
    answer = await http.post(f"{IDENTITY}/v1/resolve", json=padded, headers=op)
    assert answer.status_code == 422 and "255" in answer.json()["problems"][0]["message"]


async def test_every_audited_answer_left_an_audit_entry():
    """The daily check, run after all of the above: per service and action, as many audit
    entries as answered calls that needed one (`hssk audit check`)."""
    from hssk_cli import audit

    assert await asyncio.to_thread(audit.check) == 0
