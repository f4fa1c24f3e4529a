"""Delivery receipts on the running platform, as providers send them: the sandbox's fake Zalo
and SMS gateway report, signed, a moment after accepting a message. A delivered Zalo message
makes the reminder `delivered` (ReminderDelivered); an SMS that never arrives sends the
reminder on down the citizen's ladder, by e-mail through the SMTP server; a forged or altered
receipt is refused and changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hssk_cli import stack
from hssk_cli.paths import Layout
from hssk_cli.sandbox.receipts import signature
from hssk_contracts import topics
from tests.conftest import ROOT
from tests.e2e.test_notify_delivery import (
    NOTIFY,
    SANDBOX,
    a_citizen,
    a_phone,
    bearer,
    of,
    outbox,
    set_clock,
    vn_today,
)

pytestmark = pytest.mark.usefixtures("platform_up")


async def reminders_of(http, token, person: str) -> list[dict]:
    citizen = bearer(token, role="citizen", person_id=person)
    return (await http.get(f"{NOTIFY}/v1/reminders/{person}", headers=citizen)).json()["reminders"]


async def test_a_zalo_receipt_makes_the_reminder_delivered(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(10))
    written, phone = a_phone()
    person = await a_citizen(producer, changes, uid, written)
    [sent] = await reminders.wait_for(of(person, "ReminderSent"))
    [delivered] = await reminders.wait_for(of(person, "ReminderDelivered"))
    [arrived] = await outbox(http, phone)
    assert sent.data.channel == delivered.data.channel == "zalo"
    assert delivered.data.provider_id == arrived["provider_id"]
    [task] = [t for t in await reminders_of(http, token, person) if t["status"] != "scheduled"]
    assert task["status"] == "delivered" and task["delivered_at"]


async def test_an_undelivered_sms_goes_on_by_email(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(22, 30))  # planned tonight, sent at 07:00
    written, phone = a_phone(ending="0000")  # the sandbox's Zalo: no account, so SMS
    person = await a_citizen(producer, changes, uid, written)
    await reminders.wait_for(of(person, "ReminderScheduled"))
    address = f"citizen-{uid.lower()}@example.org"
    prefs = {"channels": ["zalo", "sms", "email"], "email": address}
    citizen = bearer(token, role="citizen", person_id=person)
    assert (await http.put(f"{NOTIFY}/v1/me/preferences", json=prefs, headers=citizen)).is_success
    fault = {"channel": "sms", "error": "undelivered", "to": phone}
    assert (await http.post(f"{SANDBOX}/faults", json=fault)).is_success
    await set_clock(http, token, vn_today(7, 0, days=1))
    sent = await reminders.wait_for(lambda e: of(person, "ReminderSent")(e) and
                                    e.data.channel == "email")  # fmt: skip
    assert [e.data.channel for e in reminders.events if of(person, "ReminderSent")(e)] == [
        "sms",
        "email",
    ]
    [sms] = await outbox(http, phone)
    [mail] = await outbox(http, address)
    assert sms["undelivered"] and mail["channel"] == "email" and sent


async def test_a_forged_or_altered_receipt_is_refused_and_changes_nothing(http):
    secret = stack.receipt_secret(Layout(ROOT)).read_bytes().strip()
    body = {"request_id": "nobody:sms", "message_id": "m-1", "status": "DELIVERED",
            "done_at": datetime.now(UTC).isoformat()}  # fmt: skip
    raw = json.dumps(body).encode()
    url = f"{NOTIFY}/v1/receipts/sms"
    headers = {"Content-Type": "application/json"}
    forged = await http.post(url, content=raw, headers={**headers, "X-HSSK-Signature":
                             signature(b"a guess", raw)})  # fmt: skip
    assert forged.status_code == 401 and "does not match" in forged.json()["message"]
    altered = raw.replace(b"m-1", b"m-2")
    swapped = await http.post(url, content=altered, headers={**headers, "X-HSSK-Signature":
                              signature(secret, raw)})  # fmt: skip
    assert swapped.status_code == 401
    unsigned = await http.post(url, content=raw, headers=headers)
    assert unsigned.status_code == 401 and "missing" in unsigned.json()["message"]
    signed = await http.post(url, content=raw, headers={**headers, "X-HSSK-Signature":
                             signature(secret, raw)})  # fmt: skip
    assert signed.status_code == 200 and signed.json() == {"outcome": "unknown"}
    bad = b'{"request_id": "nobody:sms", "status": "LOST"}'
    malformed = await http.post(url, content=bad, headers={**headers, "X-HSSK-Signature":
                                signature(secret, bad)})  # fmt: skip
    assert malformed.status_code == 422
    assert {p["field"] for p in malformed.json()["problems"]} >= {"status", "message_id"}
