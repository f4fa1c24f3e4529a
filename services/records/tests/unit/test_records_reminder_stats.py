"""notify's reminder outcomes folded into the statistics: each reminder's share replaced by
its newest outcome (a replay or an older event moves nothing), completions counted for the
reminded and the held-out, and the answer passed through the disclosure gate (a small number
who did not fill the item is never given away)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    ReminderCompleted,
    ReminderDelivered,
    ReminderOutcomeData,
    ReminderScheduled,
    ReminderSent,
    ReminderSuppressed,
)
from hssk_kit.auth import Principal
from hssk_records import statistics_read as read
from hssk_records.adapters.memory import InMemoryStatsStore
from hssk_records.domain.stats.disclosure import Policy
from hssk_records.domain.stats.journal import REMINDERS
from hssk_records.statistics_fold import fold_reminders
from hssk_records.statistics_read import StatsView

AT = datetime(2026, 12, 7, 3, tzinfo=UTC)
CAMPAIGN = "incomplete_profile:2026-Q4"
WARD = "00004"
LEADER = Principal(subject="lanh-dao", role="leader", person_id=None, facility=None, ward=None)


def outcome(kind, n: int, *, group="reminded", ward=WARD, **more):
    person = f"{n:08d}-0000-5000-8000-000000000000"
    data = ReminderOutcomeData(
        reminder_id=f"{person}:incomplete_profile:blood_group:2026-W50", person_id=person,
        kind="incomplete_profile", campaign=CAMPAIGN, channel=more.pop("channel", "zalo"),
        cause_event_id="c", group=group, ward_code=ward, **more,
    )  # fmt: skip
    return kind.new(event_id=derive_event_id("t", kind.__name__, str(n)), producer="notify",
                    key=person, occurred_at=AT, data=data)  # fmt: skip


async def folded(store, events, start: int = 0) -> None:
    await fold_reminders(list(enumerate(events, start)), 0, stats=store)


async def test_each_reminder_counts_once_by_its_newest_outcome_and_a_replay_moves_nothing():
    store = InMemoryStatsStore()
    done = outcome(ReminderCompleted, 1, status="delivered")
    events = [
        outcome(ReminderSent, 1),
        outcome(ReminderDelivered, 1),
        done,
        outcome(ReminderSent, 2),
    ]
    await folded(store, events)
    [counts] = store.counts.values()
    assert counts == Counter({f"{WARD}|status|delivered|zalo": 1, f"{WARD}|status|sent|zalo": 1,
                              f"{WARD}|group|reminded|all": 2,
                              f"{WARD}|group|reminded|completed": 1})  # fmt: skip
    before = {t: Counter(c) for t, c in store.counts.items()}
    store.catalog.clear()  # the group rewound: every event folded again
    await folded(store, events)
    assert store.counts == before
    await folded(store, [outcome(ReminderSent, 1)], start=2)  # older than the share: ignored
    assert store.counts == before
    assert store.catalog[(REMINDERS, 0)].end == 4


async def test_a_scheduled_reminder_counts_nothing_and_held_out_ones_count_as_held_out():
    store = InMemoryStatsStore()
    scheduled = ReminderScheduled.model_validate(
        {**outcome(ReminderSent, 5).model_dump(), "type": "ReminderScheduled",
         "data": {"reminder_id": "r", "person_id": "p", "kind": "incomplete_profile",
                  "due_at": AT, "channel": "sms", "message_vi": "x", "cause_event_id": "c"}}
    )  # fmt: skip
    held = outcome(ReminderSuppressed, 6, group="held_out", channel=None, reason="held_out")
    await folded(store, [scheduled, held])
    [counts] = store.counts.values()
    assert counts == Counter({f"{WARD}|status|suppressed|held_out": 1,
                              f"{WARD}|group|held_out|all": 1})  # fmt: skip


async def answer_after(events) -> dict:
    store = InMemoryStatsStore()
    await folded(store, events)
    view = StatsView(store, 0, Policy(), lambda: AT, reminder_partitions=1)
    assert await view.refresh()
    return read.reminders(view, LEADER, "city")


async def test_the_effect_is_shown_when_every_group_is_large_enough():
    events = [outcome(ReminderSent, n) for n in range(30)]
    events += [outcome(ReminderCompleted, n, status="sent") for n in range(12)]
    events += [outcome(ReminderSuppressed, 100 + n, group="held_out", channel=None,
                       reason="held_out") for n in range(20)]  # fmt: skip
    events += [outcome(ReminderCompleted, 100 + n, group="held_out", channel=None,
                       reason="held_out", status="suppressed") for n in range(10)]  # fmt: skip
    answer = await answer_after(events)
    [row] = answer["rows"]
    assert row["reminders"] == 50 and row["outcomes"]["sent:zalo"] == 30
    assert row["reminded"]["completed"] == 12 and row["reminded"]["completed_percent"] == 40.0
    assert row["held_out"]["completed_percent"] == 50.0 and row["difference_points"] == -10.0
    assert answer["fresh_as_of"] == AT.isoformat()


async def test_a_few_who_did_not_fill_the_item_are_never_given_away():
    events = [outcome(ReminderSent, n) for n in range(14)]
    events += [outcome(ReminderCompleted, n, status="sent") for n in range(11)]  # 3 did not
    [row] = (await answer_after(events))["rows"]
    assert row["reminded"]["reminders"] is None or row["reminded"]["completed"] is None
    assert row["reminded"]["completed_percent"] is None


async def test_appointment_reminders_are_counted_without_an_effect_measure():
    events = [outcome(ReminderSent, n, group=None) for n in range(12)]
    events = [e.model_copy(update={"data": e.data.model_copy(update={
        "kind": "appointment", "campaign": "appointment:2026-Q4"})}) for e in events]  # fmt: skip
    [row] = (await answer_after(events))["rows"]
    assert row["campaign"] == "appointment:2026-Q4" and row["outcomes"] == {"sent:zalo": 12}
    assert "reminded" not in row and "difference_points" not in row
