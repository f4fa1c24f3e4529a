"""notify's use cases over in-memory stores and fake channels: planning from record changes,
the sending window, resolution, the ladder, caps, the worklist, hold-outs, the sweep and
recovery after a crash."""

from __future__ import annotations

from datetime import timedelta

from notify_world import PID, World, day, vn

from hssk_notify import handlers, reading
from hssk_notify.domain.state import Preferences
from hssk_notify.domain.tasks import plan
from hssk_notify.handlers import set_preferences

OTHER = "22222222-2222-5222-8222-222222222222"


async def test_an_incomplete_record_gets_exactly_one_reminder_naming_the_best_item(world):
    await world.contact()
    assert await world.change() == 1
    [scheduled] = world.events("ReminderScheduled")
    assert scheduled.data.kind == "incomplete_profile"
    await world.tick()
    [message] = world.messages()
    assert (message.channel, message.to) == ("zalo", "84912345678")  # the ladder: no app token
    assert message.template_id and "https://hssk.vn/me" in message.params.values()
    [sent] = world.events("ReminderSent")
    assert sent.data.reminder_id == scheduled.data.reminder_id and sent.data.channel == "zalo"
    await world.replay(world_last_change(world))  # a replay plans nothing new
    await world.change()  # a new version, the same gap this week: the same task id
    await world.tick(world.now + timedelta(minutes=5))
    assert len(world.messages()) == 1 and len(world.events("ReminderScheduled")) == 1


def world_last_change(world: World):
    from notify_world import record_changed

    v = world.version[PID]
    return record_changed(PID, v, ["blood_group"], "blood_group", (), "self_declared", None,
                          "26734", world.now)  # fmt: skip


async def test_nothing_goes_at_22_30_and_the_reminder_goes_at_07_00(world):
    await world.contact()
    world.now = vn(2026, 12, 7, 22, 30)
    await world.change()
    await world.tick()
    assert world.messages() == []
    [deferred] = [e for e in world.events("ReminderScheduled") if e.data.due_at > world.now]
    assert deferred.data.due_at == vn(2026, 12, 8, 7)
    await world.tick(vn(2026, 12, 8, 6, 59))
    assert world.messages() == []
    await world.tick(vn(2026, 12, 8, 7, 0))
    assert len(world.messages()) == 1 and len(world.events("ReminderSent")) == 1


async def test_a_gap_closed_before_the_morning_sends_nothing(world):
    await world.contact()
    world.now = vn(2026, 12, 7, 23)
    await world.change()
    await world.change(missing=(), best=None)  # the citizen filled it in that night
    await world.tick(vn(2026, 12, 8, 7, 1))
    assert world.messages() == []
    [suppressed] = world.events("ReminderSuppressed")
    assert suppressed.data.reason == "resolved"
    task = next(iter(world.stores.tasks.tasks.values()))
    assert task.completed_at is not None  # counts as completed for the measured effect


async def test_zalo_user_inactive_falls_back_to_sms(world):
    await world.contact()
    world.senders["zalo"].refuse = "user_inactive"
    await world.change()
    await world.tick()
    assert [m.channel for m in world.messages()] == ["zalo", "sms"]
    [sent] = world.events("ReminderSent")
    assert sent.data.channel == "sms" and sent.data.attempts == 2
    sms = world.senders["sms"].sent[0]
    assert len(sms.text) <= 70 and sms.unicode


async def test_a_gateway_refusing_diacritics_gets_the_unaccented_sms(world):
    await world.contact()
    await set_preferences(PID, Preferences(channels=("sms",)), stores=world.stores)
    world.senders["sms"].refuse_unicode = True
    await world.change()
    await world.tick()
    first, plain = world.senders["sms"].sent
    assert first.unicode and not plain.unicode and plain.text.isascii()
    assert world.events("ReminderSent")


async def test_a_change_before_its_contact_details_waits_for_them(world):
    await world.change()  # records announces the change, then the contact it brought
    await world.tick()
    assert world.messages() == [] and not world.events("ReminderSuppressed")
    await world.contact()
    await world.tick()
    assert [m.channel for m in world.messages()] == ["zalo"]


async def test_no_channel_puts_the_citizen_on_the_ward_worklist_until_one_appears(world):
    await world.change(ward="26734")
    await world.contact(phone=None)  # the visit brought no number
    await world.tick()
    [suppressed] = world.events("ReminderSuppressed")
    assert suppressed.data.reason == "no_channel"
    [item] = await world.stores.worklist.for_ward("26734", 10)
    assert (item.person_id, item.ask) == (PID, "blood_group")
    await world.contact()  # reachable within the week: it goes after all
    assert await world.stores.worklist.for_ward("26734", 10) == []
    await world.tick()
    assert [m.channel for m in world.messages()] == ["zalo"]


async def test_every_channel_failing_fails_the_reminder_and_lists_the_citizen(world):
    await world.contact()
    for s in world.senders.values():
        s.refuse = "unavailable"
    await world.change()
    await world.tick()
    [failed] = world.events("ReminderFailed")
    assert failed.data.error == "unavailable"
    assert [i.reason for i in await world.stores.worklist.for_ward("26734", 10)] == ["failed"]


async def test_appointment_reminders_the_day_before_and_none_after_the_visit(world):
    await world.contact()
    await world.change(missing=(), best=None, appointments=[(day(2026, 12, 10), "01001")])
    await world.tick()
    assert world.messages() == []  # not due yet
    await world.tick(vn(2026, 12, 9, 8, 0))
    [eve] = world.messages()
    assert "10/12/2026" in eve.params.get("ngay", "") or "10/12/2026" in eve.text
    world.now = vn(2026, 12, 9, 16)  # came a day early
    await world.change(missing=(), best=None, appointments=[(day(2026, 12, 10), "01001")],
                       change="visit_added", visit_key="01001:LK9")  # fmt: skip
    await world.tick(vn(2026, 12, 10, 7, 0))
    assert len(world.messages()) == 1
    assert [e.data.reason for e in world.events("ReminderSuppressed")] == ["resolved"]


async def test_one_completeness_reminder_per_seven_days(world):
    await world.contact()
    await world.change(missing=("blood_group", "drug_allergy"), best="blood_group")
    await world.tick()
    world.now += timedelta(days=1)
    await world.change(missing=("drug_allergy",), best="drug_allergy")  # a new item, same week
    await world.tick()
    assert len(world.messages()) == 1
    assert [e.data.reason for e in world.events("ReminderSuppressed")] == ["cap_citizen_7d"]


async def test_three_messages_per_number_per_day_then_deferred(publish):
    world = World(publish)
    people = [f"3333333{i}-3333-5333-8333-333333333333" for i in range(4)]
    for person in people:  # one family phone number
        await world.contact(person)
        await world.change(person)
    await world.tick()
    assert len(world.messages()) == 3
    later = [e for e in world.events("ReminderScheduled") if e.data.due_at > world.now]
    assert len(later) == 1  # the fourth waits until the first leaves the 24-hour window
    await world.tick(world.now + timedelta(days=1, minutes=1))
    assert len(world.messages()) == 4


async def test_a_held_out_citizen_gets_nothing_and_is_counted_against_the_reminded(publish):
    world = World(publish, holdout=1.0)
    await world.contact()
    await world.change()
    await world.tick()
    assert world.messages() == []
    assert [e.data.reason for e in world.events("ReminderSuppressed")] == ["held_out"]
    stats = await reading.statistics(stores=world.stores, min_cell=10)
    [effect] = stats["effect"]
    assert effect["held_out"]["suppressed"]  # one person: never disclosed


async def test_opted_out_citizens_get_nothing(world):
    await world.contact()
    await set_preferences(PID, Preferences(opt_out=True), stores=world.stores)
    await world.change()
    await world.tick()
    assert world.messages() == []
    assert [e.data.reason for e in world.events("ReminderSuppressed")] == ["opted_out"]


async def test_the_daily_sweep_plans_a_new_weeks_reminder(world):
    await world.contact()
    await world.change()
    await world.tick()
    world.now = vn(2026, 12, 14, 6, 30)  # next Monday, after 06:00
    assert await world.scheduler.sweep_if_due(world.now) == 1
    assert await world.scheduler.sweep_if_due(world.now) == 0  # once a day
    await world.tick(vn(2026, 12, 14, 7, 0))  # in the window, but not 7 days since the last
    assert [e.data.reason for e in world.events("ReminderSuppressed")] == ["cap_citizen_7d"]
    world.now = vn(2026, 12, 21, 6, 30)
    assert await world.scheduler.sweep_if_due(world.now) == 1
    await world.tick(vn(2026, 12, 21, 7, 0))
    assert len(world.messages()) == 2


async def test_the_sweep_only_leaves_plan_entries_and_a_crash_after_planning_loses_nothing(world):
    await world.contact()
    await world.change()
    await world.tick()
    monday = vn(2026, 12, 21, 6, 30)
    assert await world.scheduler.sweep_if_due(monday) == 1
    assert len(world.stores.tasks.tasks) == 1  # no task written by the sweep: an entry at 07:00
    # The 07:00 entry was planned, then the worker died before sending: the task is stored and
    # on the state, and in no due minute of its own.
    state = await world.stores.states.get(PID)
    assert state is not None
    seven = vn(2026, 12, 21, 7, 0)
    wanted = plan(state, seven, "sweep:2026-12-21")
    await handlers.schedule(state, wanted, world.stores, world.publish, seven, "l", lambda: None,
                            index_due=False)  # fmt: skip
    assert len(world.stores.tasks.tasks) == 2 and len(world.messages()) == 1
    await world.tick(seven)  # the entry is read again: what was planned is sent, once
    await world.tick(seven + timedelta(minutes=3))
    assert len(world.messages()) == 2
    assert len(world.events("ReminderScheduled")) == 2


async def test_filling_the_item_after_a_reminder_is_announced_once_for_the_statistics(world):
    await world.contact()
    await world.change()
    await world.tick()
    await world.change(missing=("height",), best="height")  # blood group filled
    await world.change(missing=("height",), best="height")  # a later change: not again
    [done] = world.events("ReminderCompleted")
    [sent] = world.events("ReminderSent")
    assert done.data.reminder_id == sent.data.reminder_id
    assert (done.data.group, done.data.status, done.data.ward_code) == ("reminded", "sent", "26734")


async def test_after_a_crash_mid_send_a_provider_gets_the_same_key_and_mail_is_not_resent(world):
    await world.contact()
    await world.change()
    [task] = world.stores.tasks.tasks.values()
    world.stores.tasks.tasks[task.id] = task.model_copy(update={"status": "sending",
                                                               "channel": "email"})  # fmt: skip
    await world.tick()
    assert world.messages() == []  # at most once for SMTP, which has no idempotency key
    assert world.events("ReminderSent")[0].data.channel == "email"
    await world.contact(OTHER)
    await world.change(OTHER)
    [other] = [t for t in world.stores.tasks.tasks.values() if t.person_id == OTHER]
    world.stores.tasks.tasks[other.id] = other.model_copy(update={"status": "sending",
                                                                 "channel": "zalo"})  # fmt: skip
    await world.tick(world.now + timedelta(minutes=1))
    [again] = world.messages()
    assert again.key == f"{other.id}:zalo"  # the provider's idempotency key: delivered once
