"""No citizen gets a message twice: notify is killed with SIGKILL while it sends the 07:00
reminders of a few hundred citizens deferred overnight, restarted, and then every record change
they came from is published again (a replay). What the sandbox's fake providers received is
counted per phone number: exactly one message each. A week later the daily sweep finds them
(and every other incomplete citizen of the stack) owed the new week's reminder, and notify is
killed again while those plan entries are planned and sent: exactly one more message each."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx
import pytest

from hssk_cli.paths import Layout, repo_root
from hssk_contracts import codec, topics
from tests.e2e.test_crash_recovery import kill, start
from tests.e2e.test_notify_delivery import NOTIFY, SANDBOX, a_phone, fresh_cccd, set_clock, vn_today
from tests.e2e.test_visit_flow import example_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
CITIZENS = 300


async def test_a_killed_notify_and_a_replay_send_no_message_twice(producer, tail, http, token, uid):
    layout = Layout(repo_root())
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    await set_clock(http, token, vn_today(22, 30))
    phones: dict[str, str] = {}  # visit key -> the number providers receive
    for i in range(CITIZENS):
        written, phone = a_phone()
        doc = example_visit(f"{uid}{i:03d}")
        doc["data"]["patient"]["phone"] = written
        doc["data"]["patient"]["identifiers"] = [{"type": "cccd", "value": fresh_cccd()}]
        phones[doc["key"]] = phone
        await send(producer, doc)
    people = await _people(changes, set(phones))
    morning = vn_today(7, days=1)
    await _until(reminders, people, lambda e: (e.type == "ReminderScheduled"
                 and e.data.due_at == morning) or _held_out(e), "deferred to 07:00")  # fmt: skip
    held_out = {e.data.person_id for e in reminders.events if _held_out(e)} & people
    people -= held_out  # the campaign's hold-out group gets nothing, by design

    await set_clock(http, token, morning)
    first_few = random.randrange(5, 40)
    for _ in range(400):  # kill it once the first few went: mid-send
        await reminders.poll(0.05)
        if sum(_sent(e, people) for e in reminders.events) >= first_few:
            break
    await kill(layout, "notify")  # whatever was in flight is lost
    sent_before = len({e.data.person_id for e in reminders.events if _sent(e, people)})
    await start(layout, "notify")
    await set_clock(http, token, morning + (vn_today(7, 1) - vn_today(7)))  # its clock restarted
    await _until(reminders, people, lambda e: e.type == "ReminderSent", "sent")

    for event in [e for e in changes.events if e.data.person_id in people]:  # the replay
        await send(producer, codec.encode(event), key=event.key, topic=topics.RECORDS_CHANGE.name)
    await asyncio.sleep(3)
    async with httpx.AsyncClient(timeout=30) as client:
        arrived = Counter(m["to"] for m in (await client.get(f"{SANDBOX}/outbox")).json())
    counts = Counter(arrived[phone] for phone in phones.values())
    print(f"notify crash: {len(people)} citizens reminded, {len(held_out)} held out, "
          f"{sent_before} sent before the kill, messages per number: {dict(counts)}")  # fmt: skip
    assert counts == +Counter({1: len(people), 0: len(held_out)}), counts
    await _the_effect_is_measured(http, token, len(people), len(held_out))
    assert 0 < sent_before < len(people), "the kill was not mid-send"
    await _a_week_later(layout, http, token, reminders, people, phones, held_out)


async def _a_week_later(layout, http, token, reminders, people, phones, held_out) -> None:
    """The sweep (06:30) leaves a plan entry for each owed citizen; from 09:00 they are planned
    and sent; notify dies among them, and comes back."""

    def second(e) -> bool:
        return _sent(e, people) and e.data.reminder_id.endswith(week)

    year, number, _ = vn_today(9, days=8).isocalendar()
    week = f"{year}-W{number:02d}"
    await set_clock(http, token, vn_today(6, 30, days=8))
    await asyncio.sleep(2)  # the sweep: entries only, nothing is sent before 07:00
    assert not [e for e in reminders.events if second(e)]
    await set_clock(http, token, vn_today(9, days=8))
    first_few = random.randrange(3, 20)
    for _ in range(1200):  # every incomplete citizen of the stack is owed one: ours among them
        await reminders.poll(0.05)
        if sum(second(e) for e in reminders.events) >= first_few:
            break
    await kill(layout, "notify")
    before = len({e.data.person_id for e in reminders.events if second(e)})
    await start(layout, "notify")
    await set_clock(http, token, vn_today(9, 1, days=8))
    await _while_progressing(reminders, people, second, "sent a week later")
    async with httpx.AsyncClient(timeout=30) as client:
        arrived = Counter(m["to"] for m in (await client.get(f"{SANDBOX}/outbox")).json())
    counts = Counter(arrived[phone] for phone in phones.values())
    print(f"notify crash, a week later: {before} sent before the kill, messages per number: "
          f"{dict(counts)}")  # fmt: skip
    assert counts == +Counter({2: len(people), 0: len(held_out)}), counts
    assert 0 < before < len(people), "the kill was not mid-morning"


async def _while_progressing(reminders, people: set[str], kind, what: str) -> None:
    """Wait until each of `people` has an event of `kind`, as long as more keep coming (the
    stack's other citizens share the morning); fail after 45 s without one more."""
    done, still = 0, 0.0
    while still < 45:
        await reminders.poll(0.5)
        now = len({e.data.person_id for e in reminders.events if kind(e)} & people)
        if now >= len(people):
            return
        done, still = now, (still + 0.5 if now == done else 0.0)
    raise AssertionError(f"{len(people) - done} of {len(people)} reminders never {what}")


async def _people(changes, keys: set[str]) -> set[str]:
    for _ in range(120):
        await changes.poll(0.5)
        found = {e.data.person_id for e in changes.events if e.data.visit_key in keys}
        if len(found) >= len(keys):
            return found
    raise AssertionError(f"{len(keys) - len(found)} visits never reached a record")


def _held_out(e) -> bool:
    return e.type == "ReminderSuppressed" and e.data.reason == "held_out"


def _sent(e, people: set[str]) -> bool:
    return e.type == "ReminderSent" and e.data.person_id in people


async def _until(reminders, people: set[str], kind, what: str) -> None:
    def done() -> set[str]:
        return {e.data.person_id for e in reminders.events if kind(e)} & people

    for _ in range(120):
        await reminders.poll(0.5)
        if done() >= people:
            return
    raise AssertionError(f"{len(people - done())} of {len(people)} reminders never {what}")


async def _the_effect_is_measured(http, token, reminded: int, held_out: int) -> None:
    """The city's question, "do reminders work?": reminded against held-out citizens of this
    quarter's campaign, each group disclosed once it has enough people."""
    leader = {"Authorization": f"Bearer {token(role='leader')}"}
    stats = (await http.get(f"{NOTIFY}/v1/stats", headers=leader)).json()
    quarter = (vn_today(7).month - 1) // 3 + 1
    campaign = f"incomplete_profile:{vn_today(7).year}-Q{quarter}"
    [effect] = [e for e in stats["effect"] if e["campaign"] == campaign]
    assert effect["reminded"]["people"] >= reminded, effect
    if held_out >= stats["min_cell"]:
        assert effect["held_out"]["people"] >= held_out, effect
    print(f"notify effect: {effect}")
