"""Delivery receipts: the signature that proves a provider sent one, each provider's shape, and
what a receipt does to a reminder (delivered; undelivered sends it down the ladder once; late,
repeated or unknown receipts change nothing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from notify_world import World

from hssk_notify.domain import receipts
from hssk_notify.domain.receipts import Report
from hssk_notify.domain.state import Preferences
from hssk_notify.handlers import set_preferences

SECRET = b"s3cret-shared-with-the-provider"
NOW = datetime(2026, 12, 7, 3, tzinfo=UTC)
BODY = json.dumps({"request_id": "t:sms", "message_id": "m1", "status": "DELIVERED",
                   "done_at": "2026-12-07T03:00:00+00:00"}).encode()  # fmt: skip


def test_a_body_signed_with_the_secret_now_is_accepted():
    assert receipts.signature_refusal(SECRET, receipts.sign(SECRET, BODY, NOW), BODY, NOW) is None


@pytest.mark.parametrize(
    ("secret", "header", "body", "why"),
    [
        (SECRET, None, BODY, "missing"),
        (SECRET, "v1=abc", BODY, "no t="),
        (SECRET, receipts.sign(b"another secret", BODY, NOW), BODY, "does not match"),
        (SECRET, receipts.sign(SECRET, BODY, NOW), BODY.replace(b"m1", b"m2"), "does not match"),
        (SECRET, receipts.sign(SECRET, BODY, NOW - timedelta(minutes=6)), BODY, "5 minutes"),
        (SECRET, receipts.sign(SECRET, BODY, NOW + timedelta(minutes=6)), BODY, "5 minutes"),
        (b"", receipts.sign(b"", BODY, NOW), BODY, "not configured"),
    ],
    ids=["no header", "no time", "other secret", "altered", "replayed late", "future", "unset"],
)
def test_anything_else_is_refused_and_says_why(secret, header, body, why):
    assert why in (receipts.signature_refusal(secret, header, body, NOW) or "")


def test_each_providers_shape_is_read():
    sms = receipts.read("sms", json.loads(BODY))
    assert sms == Report("sms", "t:sms", "m1", True, None, NOW)
    expired = receipts.read("sms", {**json.loads(BODY), "status": "EXPIRED"})
    assert isinstance(expired, Report) and (expired.delivered, expired.error) == (False, "expired")
    ms = str(int(NOW.timestamp() * 1000))
    message = {"tracking_id": "t:zalo", "msg_id": "z1", "delivery_time": ms}
    zns = receipts.read("zalo", {"event_name": "user_received_message", "message": message})
    assert zns == Report("zalo", "t:zalo", "z1", True, None, NOW)
    assert zns.task_id == "t" and Report("zalo", "t:sms", "z", True, None, NOW).task_id is None


@pytest.mark.parametrize(
    ("channel", "body", "field"),
    [
        (
            "sms",
            {
                "request_id": "k:sms",
                "message_id": "m",
                "status": "LOST",
                "done_at": "2026-12-07T03:00:00+00:00",
            },
            "status",
        ),
        (
            "sms",
            {
                "request_id": "k:sms",
                "message_id": "m",
                "status": "DELIVERED",
                "done_at": "yesterday",
            },
            "done_at",
        ),
        (
            "sms",
            {"message_id": "m", "status": "DELIVERED", "done_at": "2026-12-07T03:00:00"},
            "request_id",
        ),
        ("zalo", {"event_name": "follow"}, "event_name"),
        (
            "zalo",
            {
                "event_name": "user_received_message",
                "message": {"tracking_id": "k:zalo", "msg_id": "z", "delivery_time": "soon"},
            },
            "message.delivery_time",
        ),
        ("app", {}, "channel"),
        ("sms", ["not", "an", "object"], "body"),
    ],
)
def test_a_malformed_receipt_names_what_is_wrong(channel, body, field):
    found = receipts.read(channel, body)
    assert isinstance(found, list) and field in [p.field for p in found]


async def test_a_delivered_receipt_makes_the_reminder_delivered_once(world: World):
    await world.contact()
    await world.change()
    await world.tick()
    [zalo] = world.messages()
    assert await world.receipt(zalo) == "delivered"
    assert await world.receipt(zalo) == "repeat"  # providers send again until answered
    [delivered] = world.events("ReminderDelivered")
    assert (delivered.data.channel, delivered.data.provider_id) == ("zalo", "zalo-id")
    [task] = await world.stores.tasks.get_many([delivered.data.reminder_id])
    assert task.status == "delivered" and task.delivered_at == world.now


async def test_an_undelivered_sms_goes_down_the_ladder_once(world: World):
    await world.contact()
    await set_preferences(
        "11111111-1111-5111-8111-111111111111",
        Preferences(channels=("sms", "email"), email="an@example.vn"),
        stores=world.stores,
    )
    await world.change()
    await world.tick()
    [sms] = world.messages()
    assert await world.receipt(sms, delivered=False) == "sent_again"
    assert await world.receipt(sms, delivered=False) == "repeat"
    await world.tick()
    assert [m.channel for m in world.messages()] == ["sms", "email"]
    sent = world.events("ReminderSent")
    assert [e.data.channel for e in sent] == ["sms", "email"]
    assert len({e.event_id for e in sent}) == 2  # a second send is a new event, not a replay
    state = await world.stores.states.get("11111111-1111-5111-8111-111111111111")
    assert state is not None and sum(state.campaigns.values()) == 1  # one reminder, counted once
    assert await world.receipt(sms) == "stale"  # a late delivery report of the lost SMS


async def test_an_undelivered_last_channel_fails_the_reminder_for_the_ward(world: World):
    await world.contact()
    await set_preferences(
        "11111111-1111-5111-8111-111111111111", Preferences(channels=("sms",)), stores=world.stores
    )
    await world.change()
    await world.tick()
    [sms] = world.messages()
    await world.receipt(sms, delivered=False)
    await world.tick()
    [failed] = world.events("ReminderFailed")
    assert failed.data.reminder_id in sms.key and len(world.messages()) == 1
    assert [i.person_id for i in await world.stores.worklist.for_ward("26734", 10)] == [
        "11111111-1111-5111-8111-111111111111"
    ]


async def test_a_receipt_for_no_reminder_of_ours_changes_nothing(world: World):
    stray = Report("sms", "someone-else:sms", "x", True, None, world.now)
    from hssk_notify import receiving

    outcome = await receiving.on_receipt(
        stray, stores=world.stores, publish=world.publish, wake=lambda: None, now=world.now
    )
    assert outcome == "unknown" and world.events() == []
