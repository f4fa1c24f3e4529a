"""Calls that make the records service give each answer its OpenAPI documents which random
input rarely reaches: a citizen's own reads and writes, shares made and revoked, QR codes used
once, used twice, expired and tried too often, and records of no one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from hssk_cli import stack
from hssk_cli.paths import Layout, repo_root
from hssk_records.domain import tokens
from tests.citizens import FACILITY, Citizen

Seen = Callable[[str, str, str, httpx.Response], int]
RECORDS = stack.BY_NAME["records"].url


def bearer(token, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


async def own_record(http, token, citizen: Citizen, seen: Seen) -> None:
    me = bearer(token, role="citizen", person_id=citizen.person_id)
    nobody = bearer(token, role="citizen", person_id=str(uuid.uuid4()))
    calls = [
        (
            "GET",
            "/v1/records/{person_id}/history",
            f"/v1/records/{citizen.person_id}/history",
            me,
            None,
            200,
        ),
        (
            "POST",
            "/v1/records/{person_id}/qr",
            f"/v1/records/{citizen.person_id}/qr",
            me,
            None,
            201,
        ),
        ("PATCH", "/v1/me/declaration", "/v1/me/declaration", me, {"weight_kg": 58}, 200),
        ("PATCH", "/v1/me/declaration", "/v1/me/declaration", nobody, {"weight_kg": 58}, 404),
        ("GET", "/v1/me", "/v1/me", nobody, None, 404),
        ("GET", "/v1/me/export", "/v1/me/export", nobody, None, 404),
        ("POST", "/v1/me/shares", "/v1/me/shares", nobody, {"scope": "full"}, 404),
        (
            "POST",
            "/v1/me/corrections",
            "/v1/me/corrections",
            me,
            {"field": "occupation", "proposed": "Nông dân"},
            201,
        ),
        (
            "POST",
            "/v1/me/corrections",
            "/v1/me/corrections",
            nobody,
            {"field": "occupation", "proposed": "Nông dân"},
            404,
        ),
    ]
    for view in ("", "/$summary", "/$everything"):
        template = "/fhir/Patient/{person_id}" + view
        calls.append(("GET", template, f"/fhir/Patient/{citizen.person_id}{view}", me, None, 200))
    for method, template, path, headers, body, expected in calls:
        answer = await http.request(method, RECORDS + path, json=body, headers=headers)
        assert seen("records", method, template, answer) == expected, (template, answer.text)
    operator = bearer(token, role="operator")
    for template, expected in (("/rebuild-check", 200), ("/resend", 202)):
        answer = await http.post(
            f"{RECORDS}/v1/records/{citizen.person_id}{template}", headers=operator
        )
        path = "/v1/records/{person_id}" + template
        assert seen("records", "POST", path, answer) == expected, (template, answer.text)
    doctor = bearer(token, role="doctor", facility=FACILITY)
    confirmed = await http.post(
        f"{RECORDS}/v1/records/{citizen.person_id}/confirmations",
        json={"blood_group": "A+"},
        headers=doctor,
    )
    assert seen("records", "POST", "/v1/records/{person_id}/confirmations", confirmed) == 200


async def shares(http, token, citizen: Citizen, seen: Seen) -> None:
    me = bearer(token, role="citizen", person_id=citizen.person_id)
    made = (await http.post(f"{RECORDS}/v1/me/shares", json={"scope": "full"}, headers=me)).json()
    doctor = bearer(token, role="doctor", facility="79055")
    used = await http.get(f"{RECORDS}/v1/shared/{made['token']}", headers=doctor)
    assert seen("records", "GET", "/v1/shared/{token}", used) == 200
    revoked = await http.delete(f"{RECORDS}/v1/me/shares/{made['share_id']}", headers=me)
    assert seen("records", "DELETE", "/v1/me/shares/{share_id}", revoked) == 200
    closed = await http.get(f"{RECORDS}/v1/shared/{made['token']}", headers=doctor)
    assert seen("records", "GET", "/v1/shared/{token}", closed) == 404


async def qr_codes(http, token, citizen: Citizen, seen: Seen) -> None:
    me = bearer(token, role="citizen", person_id=citizen.person_id)
    issued = (await http.post(f"{RECORDS}/v1/records/{citizen.person_id}/qr", headers=me)).json()
    statuses = []
    for _ in range(6):  # once, used four times, then too many tries of one code
        answer = await http.post(f"{RECORDS}/v1/qr/redeem", json={"token": issued["token"]})
        statuses.append(seen("records", "POST", "/v1/qr/redeem", answer))
    assert statuses == [200, 409, 409, 409, 409, 429]
    key = (Layout(repo_root()).keys / "records-qr.key").read_bytes()  # the dev stack's secret
    past = datetime.now(UTC) - timedelta(days=5)
    stale, _ = tokens.mint(citizen.person_id, key=key, now=past, lasts=timedelta(hours=1))
    expired = await http.post(f"{RECORDS}/v1/qr/redeem", json={"token": stale})
    assert seen("records", "POST", "/v1/qr/redeem", expired) == 410
