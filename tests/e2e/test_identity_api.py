"""The master citizen index over HTTP, and merges flowing through to the records."""

from __future__ import annotations

import random

import pytest

from hssk_cli import stack
from hssk_contracts import topics
from tests.e2e.test_visit_flow import example_visit, for_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
IDENTITY = stack.BY_NAME["identity"].url
RECORDS = stack.BY_NAME["records"].url


def cccd_1985_female() -> str:
    return f"001185{random.randrange(10**6):06d}"


def auth(token, **claims) -> dict:
    return {"Authorization": f"Bearer {token(**claims)}"}


async def test_resolve_creates_once_then_matches(http, token):
    body = {
        "identifiers": [{"type": "cccd", "value": cccd_1985_female()}],
        "name": "Nguyễn Thị Lan",
        # a birth date of its own, so people from earlier runs on this stack are not tied with her
        "birth_date": f"1985-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
        "sex": "female",
        "phone": f"09{random.randrange(10**8):08d}",
        "create": True,
    }
    op = auth(token, role="operator")
    first = (await http.post(f"{IDENTITY}/v1/resolve", json=body, headers=op)).json()
    assert first["decision"] == "created" and first["person_id"]
    again = (await http.post(f"{IDENTITY}/v1/resolve", json=body, headers=op)).json()
    assert (again["decision"], again["person_id"]) == ("matched", first["person_id"])
    lookup = {**body, "identifiers": [], "name": "NGUYEN THI LAN", "create": False}
    by_demographics = (await http.post(f"{IDENTITY}/v1/resolve", json=lookup, headers=op)).json()
    assert first["person_id"] in [c["person_id"] for c in by_demographics["candidates"]]
    assert any(k.startswith("name:") for k in by_demographics["weights"])


async def test_malformed_identifiers_get_a_422_naming_field_and_rule(http, token):
    body = {"identifiers": [{"type": "cccd", "value": "12345"}], "name": "Trần Văn Nam"}
    response = await http.post(
        f"{IDENTITY}/v1/resolve", json=body, headers=auth(token, role="hospital", facility="01001")
    )
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert (problem["field"], problem["rule"]) == ("identifiers.0.value", "cccd_format")
    bad_date = {"name": "Trần Văn Nam", "birth_date": "30/02/1990"}  # no date at all: refused
    response = await http.post(
        f"{IDENTITY}/v1/resolve", json=bad_date, headers=auth(token, role="operator")
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "birth_date"


async def test_a_date_that_cannot_exist_is_looked_up_with_a_warning(http, token):
    # Registries send 30 February: what can be trusted of it (the month) is compared, and said.
    body = {"name": "Trần Văn Nam", "birth_date": "1990-02-30"}
    response = await http.post(
        f"{IDENTITY}/v1/resolve", json=body, headers=auth(token, role="operator")
    )
    assert response.status_code == 200, response.text
    [warning] = response.json()["warnings"]
    assert (warning["field"], warning["rule"]) == ("birth_date", "birth_date_impossible")
    assert "compared by its month and year" in warning["message"]


async def test_citizens_and_doctors_may_not_resolve_or_merge(http, token):
    body = {"name": "Lê Văn Tám"}
    citizen = {"role": "citizen", "person_id": "00000000-0000-4000-8000-000000000001"}
    for claims in (citizen, {"role": "doctor", "facility": "01001"}):
        response = await http.post(
            f"{IDENTITY}/v1/resolve", json=body, headers=auth(token, **claims)
        )
        assert response.status_code == 403
    response = await http.post(
        f"{IDENTITY}/v1/merges",
        json={"survivor_id": "a", "merged_id": "b"},
        headers=auth(token, role="ward_officer", ward="00001"),
    )
    assert response.status_code == 403


async def test_merge_moves_the_history_and_unmerge_moves_it_back(producer, tail, http, token, uid):
    changes = await tail(topics.RECORDS_CHANGE)
    first, second = example_visit(uid + "A"), example_visit(uid + "B")
    for doc in (first, second):
        await send(producer, doc)
    people = {}
    for doc in (first, second):
        # one change, maybe announced twice (a redelivery re-announces it under its own id)
        seen = await changes.wait_for(for_visit(doc["key"]))
        [change] = {e.event_id: e for e in seen}.values()
        people[doc["key"]] = change.data.person_id
    survivor, merged = people[first["key"]], people[second["key"]]
    assert survivor != merged  # two different personal IDs: two persons

    op = auth(token, role="operator")
    response = await http.post(
        f"{IDENTITY}/v1/merges", json={"survivor_id": survivor, "merged_id": merged}, headers=op
    )
    assert response.status_code == 200, response.text
    for person in (survivor, merged):  # both records announce the merge
        await changes.wait_for(
            lambda e, p=person: e.data.person_id == p and e.data.change == "person_merged"
        )
    doctor = auth(token, role="doctor", facility=first["data"]["facility_code"])
    record = (await http.get(f"{RECORDS}/v1/records/{survivor}", headers=doctor)).json()
    assert {v["visit_id"] for v in record["encounters"]} == {
        first["data"]["visit_id"],
        second["data"]["visit_id"],
    }
    gone = await http.get(f"{RECORDS}/v1/records/{merged}", headers=doctor)
    assert (gone.status_code, gone.json()["merged_into"]) == (410, survivor)

    response = await http.delete(f"{IDENTITY}/v1/merges/{merged}", headers=op)
    assert response.status_code == 200, response.text
    await changes.wait_for(
        lambda e: e.data.person_id == merged and e.data.change == "person_unmerged"
    )
    back = (await http.get(f"{RECORDS}/v1/records/{merged}", headers=doctor)).json()
    assert [v["visit_id"] for v in back["encounters"]] == [second["data"]["visit_id"]]
    again = await http.delete(f"{IDENTITY}/v1/merges/{merged}", headers=op)
    assert again.status_code == 409
