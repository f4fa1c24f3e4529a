"""What notify must show on the running platform, as a citizen and a ward officer live it: a
hospital's visit makes an incomplete record; the citizen gets exactly one reminder through a
real channel (the sandbox's SMTP server and fake Zalo/SMS/push providers record what arrives),
none at 22:30 but at 07:00, none once the item is filled; a Zalo refusal falls back to SMS; a
re-visit date brings a reminder the day before; a citizen with no channel is on the ward's
worklist; the effect statistics compare reminded and held-out citizens. notify's clock is the
dev stack's settable one (PUT /v1/dev/clock), so the test lives through a night in seconds."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hssk_cli import stack
from hssk_contracts import topics
from hssk_notify.domain.decisions import Rules
from hssk_notify.domain.holdout import in_holdout
from hssk_notify.domain.tasks import campaign
from tests.e2e.test_visit_flow import example_visit, for_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
NOTIFY, RECORDS = stack.BY_NAME["notify"].url, stack.BY_NAME["records"].url
SANDBOX = f"http://127.0.0.1:{stack.SANDBOX_HTTP_PORT}"
VN = timezone(timedelta(hours=7))
WARD = "26734"
FILLS = {  # how a citizen answers the items records names first
    "drug_allergy": {"drug_allergies": {"none_known": True}},
    "chronic_diseases": {"chronic_conditions": {"none_known": True}},
    "blood_group": {"blood_group": "O+"},
}


def bearer(token, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


def a_phone(ending: str = "") -> tuple[str, str]:
    """A fresh mobile number as the hospital writes it, and as providers receive it."""
    digits = f"9{random.randrange(10**8):08d}"
    digits = digits[: len(digits) - len(ending)] + ending
    return f"0{digits}", f"84{digits}"


def fresh_cccd() -> str:
    """A personal ID no earlier test used (the example's 6 free digits collide within a run)."""
    return f"0790{random.randrange(100):02d}{random.randrange(10**6):06d}"


def vn_today(hour: int, minute: int = 0, days: int = 0) -> datetime:
    today = datetime.now(UTC).astimezone(VN).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=VN)


async def set_clock(http, token, at: datetime) -> None:
    answer = await http.put(f"{NOTIFY}/v1/dev/clock", json={"at": at.isoformat()},
                            headers=bearer(token, role="operator"))  # fmt: skip
    assert answer.status_code == 200, answer.text


async def outbox(http, to: str) -> list[dict]:
    return (await http.get(f"{SANDBOX}/outbox", params={"to": to})).json()


async def a_citizen(producer, changes, uid: str, phone: str | None, **visit) -> str:
    """A hospital visit of a new citizen (of WARD, with `phone`): their person_id. Not one of
    the campaign's random hold-out (5 %), whom no completeness reminder may reach: these tests
    follow reminders, and would otherwise fail one run in twenty."""
    patient = {"phone": phone} if phone else {}
    for attempt in range(10):
        doc = example_visit(f"{uid}{attempt}", **visit)
        doc["data"]["patient"]["identifiers"] = [{"type": "cccd", "value": fresh_cccd()}]
        doc["data"]["patient"].update({**patient, "commune_code": WARD})
        await send(producer, doc)
        [change] = await changes.wait_for(for_visit(doc["key"]))
        person = change.data.person_id
        this_quarter = campaign("incomplete_profile", datetime.now(UTC))
        if not in_holdout(person, this_quarter, Rules().holdout_share):
            return person
    raise AssertionError("ten citizens in a row held out of the campaign")


def of(person: str, kind: str):
    return lambda e: e.data.person_id == person and e.type == kind


async def test_one_reminder_in_the_day_none_once_the_item_is_filled(
    producer, tail, http, token, uid
):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(10))
    written, phone = a_phone()
    person = await a_citizen(producer, changes, uid, written)
    [sent] = await reminders.wait_for(of(person, "ReminderSent"))
    [arrived] = await outbox(http, phone)
    assert arrived["channel"] == sent.data.channel == "zalo"
    citizen = bearer(token, role="citizen", person_id=person)
    await fill_best_item(http, person, citizen)
    await changes.wait_for(
        lambda e: e.data.person_id == person and e.data.change == "self_declared"
    )
    await asyncio.sleep(2)  # notify takes the change in; nothing more may go
    assert len(await outbox(http, phone)) == 1
    assert len([e for e in reminders.events if of(person, "ReminderSent")(e)]) == 1


async def test_nothing_at_22_30_and_the_reminder_at_07_00(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(22, 30))
    written, phone = a_phone()
    person = await a_citizen(producer, changes, uid, written)
    planned = await reminders.wait_for(
        lambda e: of(person, "ReminderScheduled")(e) and e.data.due_at == vn_today(7, days=1)
    )
    assert planned and await outbox(http, phone) == []
    await set_clock(http, token, vn_today(6, 59, days=1))
    await asyncio.sleep(2)
    assert await outbox(http, phone) == []
    await set_clock(http, token, vn_today(7, 0, days=1))
    await reminders.wait_for(of(person, "ReminderSent"))
    assert len(await outbox(http, phone)) == 1


async def test_a_zalo_refusal_falls_back_to_sms(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(9))
    written, phone = a_phone(ending="0000")  # the sandbox's Zalo: no active account
    person = await a_citizen(producer, changes, uid, written)
    [sent] = await reminders.wait_for(of(person, "ReminderSent"))
    assert (sent.data.channel, sent.data.attempts) == ("sms", 2)
    [sms] = await outbox(http, phone)
    assert sms["channel"] == "sms" and len(sms["text"]) <= 70


async def test_an_appointment_is_reminded_the_day_before(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(9))
    written, phone = a_phone()
    revisit = vn_today(9, days=3).date()
    person = await a_citizen(producer, changes, uid, written, revisit_date=revisit.isoformat())
    await set_clock(http, token, vn_today(8, 0, days=2))

    def reminded(e) -> bool:
        return of(person, "ReminderSent")(e) and e.data.kind == "appointment"

    await reminders.wait_for(reminded)
    await reminders.poll(2)  # a second reminder of the same appointment, were one coming
    assert len([e for e in reminders.events if reminded(e)]) == 1
    # By this phone: `a_citizen` may have registered a held-out citizen first with the same
    # phone and appointment (one run in twenty), reminded too; at least this one arrived.
    texts = [m for m in await outbox(http, phone) if revisit.strftime("%d/%m/%Y") in str(m)]
    assert texts, await outbox(http, phone)


async def test_no_channel_puts_the_citizen_on_the_ward_worklist(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(9))
    person = await a_citizen(producer, changes, uid, None)
    [suppressed] = await reminders.wait_for(of(person, "ReminderSuppressed"))
    assert suppressed.data.reason == "no_channel"
    officer = bearer(token, role="ward_officer", ward=WARD)
    listed = await http.get(f"{NOTIFY}/v1/worklist", params={"ward": WARD}, headers=officer)
    assert person in {i["person_id"] for i in listed.json()["items"]}
    other = bearer(token, role="ward_officer", ward="00001")
    refused = await http.get(f"{NOTIFY}/v1/worklist", params={"ward": WARD}, headers=other)
    assert refused.status_code == 404


async def test_email_goes_through_the_smtp_server(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(9))
    person = await a_citizen(producer, changes, uid, None)  # no phone: nothing goes yet
    await reminders.wait_for(of(person, "ReminderSuppressed"))
    address = f"citizen-{uid.lower()}@example.org"
    citizen = bearer(token, role="citizen", person_id=person)
    wrong = await http.put(f"{NOTIFY}/v1/me/preferences", json={"email": "not-mail"},
                           headers=citizen)  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["field"] == "email"
    prefs = {"channels": ["email"], "email": address}
    assert (await http.put(f"{NOTIFY}/v1/me/preferences", json=prefs, headers=citizen)).is_success
    await fill_best_item(http, person, citizen)  # the next item is the one reminded
    [sent] = await reminders.wait_for(of(person, "ReminderSent"))
    assert sent.data.channel == "email"
    [mail] = await outbox(http, address)
    assert mail["channel"] == "email" and "Hồ sơ" in str(mail)


async def fill_best_item(http, person: str, citizen: dict) -> None:
    listed = (await http.get(f"{NOTIFY}/v1/reminders/{person}", headers=citizen)).json()
    item = listed["reminders"][0]["item"]
    body = FILLS.get(item, {"height_cm": 160})
    filled = await http.patch(f"{RECORDS}/v1/me/declaration", json=body, headers=citizen)
    assert filled.status_code == 200, filled.text


async def test_the_effect_statistics_hide_small_cells(http, token):
    answer = await http.get(f"{NOTIFY}/v1/stats", headers=bearer(token, role="leader"))
    body = answer.json()
    assert answer.status_code == 200 and body["min_cell"] >= 10
    for row in body["outcomes"]:
        assert row.get("suppressed") or row["count"] >= body["min_cell"]
    for effect in body["effect"]:
        for group in ("reminded", "held_out"):
            people = effect[group]["people"]
            assert people is None or people >= body["min_cell"]
            assert effect[group]["rate"] is None or not effect[group].get("suppressed")
    refused = await http.get(f"{NOTIFY}/v1/stats", headers=bearer(token, role="citizen",
                             person_id="00000000-0000-4000-8000-000000000001"))  # fmt: skip
    assert refused.status_code == 403
