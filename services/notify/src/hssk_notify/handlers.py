"""Use cases that plan reminders: a record change (or the daily sweep) plans the tasks the state
calls for, each stored, put in its due minute and announced once; contact details and the
citizen's preferences update the state. Replays change nothing: a change older than the state is
skipped, and a task id already on the state was fully planned before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hssk_contracts import topics
from hssk_contracts.events import ContactChanged, RecordChanged
from hssk_kit.bus import Publish
from hssk_notify import metrics
from hssk_notify.domain import outcomes
from hssk_notify.domain.compose import words
from hssk_notify.domain.decisions import AWAITING_CONTACT
from hssk_notify.domain.phones import normalise
from hssk_notify.domain.state import CitizenState, Preferences
from hssk_notify.domain.tasks import Task, plan
from hssk_notify.stores import Stores, minute

Wake = Callable[[], None]


async def on_record_changed(
    event: RecordChanged, *, stores: Stores, publish: Publish, now: datetime, link: str, wake: Wake
) -> int:
    d = event.data
    async with stores.locks.hold(d.person_id):
        before = await stores.states.get(d.person_id) or CitizenState(person_id=d.person_id)
        if d.version <= before.version:
            return 0  # a replay, or a change this state has already taken in
        state = before.with_change(d, event.occurred_at)
        if set(before.missing) - set(state.missing):
            await _mark_completed(state, stores, publish, event.occurred_at)
        planned = plan(state, now, event.event_id)
        return await schedule(state, planned, stores, publish, now, link, wake)


async def schedule(
    state: CitizenState,
    planned: list[Task],
    stores: Stores,
    publish: Publish,
    now: datetime,
    link: str,
    wake: Wake,
    index_due: bool = True,
) -> int:
    """Store, index and announce each task the state has not planned yet; then the state.
    `index_due=False`: tasks due by `now` are not put in a due minute (the caller dispatches
    them itself, and again after a crash)."""
    new = [t for t in planned if t.id not in state.tasks]
    for task in new:
        await stores.tasks.add(task)  # known already (a crash before the state): kept as is
        if index_due or task.due_at > now:
            await stores.due.add(minute(task.due_at), task.id)
        message = words(task, state, link).sms
        await publish(
            topics.NOTIFY_REMINDER,
            outcomes.scheduled(task, state.first_channel, message, now),
        )
        metrics.TASKS_PLANNED.labels(task.kind).inc()
        if task.due_at <= now:
            wake()
    await stores.states.save(state.with_tasks([t.id for t in new]))
    return len(new)


async def _mark_completed(
    state: CitizenState, stores: Stores, publish: Publish, at: datetime
) -> None:
    """The items filled since: their completeness tasks count as completed (for the effect),
    and those in the effect's groups (reminded, held out) are announced for the statistics."""
    for task in await stores.tasks.get_many(state.tasks):
        if task.kind == "incomplete_profile" and task.completed_at is None:
            if task.item not in state.missing:
                done = task.model_copy(update={"completed_at": at})
                if done.group is not None:
                    await publish(topics.NOTIFY_REMINDER, outcomes.completed(done, at))
                await stores.tasks.put(done)


async def on_contact_changed(
    event: ContactChanged, *, stores: Stores, now: datetime, wake: Wake
) -> None:
    """Remember how to reach the citizen. A reminder that waited for these details goes now, and
    so does one no channel could take this week, once there is one (the worklist lets them go)."""
    d = event.data
    async with stores.locks.hold(d.person_id):
        state = await stores.states.get(d.person_id) or CitizenState(person_id=d.person_id)
        if d.version is not None and d.version < state.contact_version:
            return  # older details than those already taken in (a replay)
        state = state.model_copy(
            update={
                "phone": normalise(d.phone),
                "representative_phone": normalise(d.representative_phone),
                "ward_code": d.ward_code or state.ward_code,
                "merged_into": d.merged_into,
                "contact_version": d.version or state.awaited_contact,
            }
        )
        await stores.states.save(state)
        revived = await _revive(state, stores, now)
    if revived:
        wake()
    if state.addresses():
        await stores.worklist.remove(state.person_id)


async def _revive(state: CitizenState, stores: Stores, now: datetime) -> int:
    reachable = bool(state.addresses())
    due = [
        t
        for t in await stores.tasks.get_many(state.tasks)
        if (not t.final and t.reason == AWAITING_CONTACT)
        or (reachable and t.reason == "no_channel" and now < t.window_end)
    ]
    for task in due:
        again = task.model_copy(update={"due_at": now, "status": "scheduled", "reason": None})
        await stores.tasks.put(again)
        await stores.due.add(minute(now), task.id)
    return len(due)


async def set_preferences(
    person_id: str, preferences: Preferences, *, stores: Stores
) -> CitizenState:
    async with stores.locks.hold(person_id):
        state = await stores.states.get(person_id) or CitizenState(person_id=person_id)
        state = state.model_copy(update={"preferences": preferences})
        await stores.states.save(state)
    if state.addresses() and not preferences.opt_out:
        await stores.worklist.remove(person_id)
    return state
