"""Use case: a due task is suppressed, deferred or sent down the citizen's ladder of channels.

Delivery: each send is claimed on the task first ("sending", its channel), and every provider
gets the task's key as its idempotency key, so after a crash the same send is asked again and
the provider delivers it once. SMTP has no such key: a claim on e-mail found after a crash is
taken as sent (at most once) rather than risk a second letter. Events are published before the
task's new status is stored, with ids from the task and status, so a redo repeats the event."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from hssk_contracts import topics
from hssk_kit.bus import Publish
from hssk_notify import metrics
from hssk_notify.domain import caps, ladder, outcomes
from hssk_notify.domain.compose import compose, words
from hssk_notify.domain.decisions import Defer, Rules, Send, Suppress, decide
from hssk_notify.domain.messages import Channel, Receipt
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Attempt, Task
from hssk_notify.ports import Sender, WorkItem
from hssk_notify.stores import Stores, minute

NUMBER_CAPPED = ("sms", "zalo")  # channels that reach a phone number


@dataclass(frozen=True)
class Channels:
    senders: Mapping[Channel, Sender]
    link: str  # the citizen's self-declaration page
    rules: Rules = field(default_factory=Rules)


async def dispatch(
    task_id: str, *, stores: Stores, channels: Channels, publish: Publish, now: datetime
) -> str:
    """Handle one due task; answers what became of it (for metrics and tests)."""
    task = await stores.tasks.get(task_id)
    if task is None or task.final:
        return "done"
    if minute(task.due_at) > minute(now):
        return "later"  # deferred to a later minute: found there
    async with stores.locks.hold(task.person_id):
        state = await stores.states.get(task.person_id) or CitizenState(person_id=task.person_id)
        if task.status == "sending" and task.channel == "email":
            return await _sent(
                task.model_copy(update={"status": "sent"}), state, stores, publish, now
            )
        decision = decide(task, state, now, channels.rules)
        if isinstance(decision, Suppress):
            return await _suppress(task, state, decision.reason, stores, publish, now)
        if isinstance(decision, Defer):
            later = task.model_copy(update={"reason": decision.reason})
            return await _defer(later, state, decision.until, stores, publish, channels, now)
        return await _send(task, state, decision, stores, publish, channels, now)


async def _suppress(task: Task, state: CitizenState, reason: str, stores, publish, now) -> str:
    group = "held_out" if reason == "held_out" else task.group
    done = task.model_copy(update={"status": "suppressed", "reason": reason, "group": group})
    if reason == "no_channel" and state.ward_code:
        await stores.worklist.put(_work(done, state, "no_channel", now))
    await publish(topics.NOTIFY_REMINDER, outcomes.outcome(done, now))
    await stores.tasks.put(done)
    metrics.OUTCOMES.labels(task.kind, "suppressed", reason).inc()
    return f"suppressed:{reason}"


async def _defer(task, state, until: datetime, stores, publish, channels, now) -> str:
    later = task.model_copy(update={"due_at": until})
    await stores.due.add(minute(until), task.id)
    text = words(later, state, channels.link).sms
    await publish(topics.NOTIFY_REMINDER, outcomes.scheduled(later, state.first_channel, text, now))
    await stores.tasks.put(later)
    metrics.DEFERRED.inc()
    return "deferred"


async def _send(task, state, decision: Send, stores, publish, channels, now) -> str:
    capped: list[datetime] = []
    for channel, address in decision.steps:
        sender = channels.senders.get(channel)
        if sender is None:
            continue
        # One send at a time to a phone number (a family may share one): the cap holds.
        lock = stores.locks.hold(f"number:{address}") if channel in NUMBER_CAPPED else nullcontext()
        async with lock:
            if channel in NUMBER_CAPPED and (
                free := caps.number_free_at(
                    await stores.numbers.sent(address), now, channels.rules.caps
                )
            ):
                capped.append(free)
                continue
            task, accepted = await _claim_and_send(
                task, state, sender, address, stores, channels, now
            )
            if accepted and channel in NUMBER_CAPPED:
                await stores.numbers.add(address, now)
        if accepted:
            sent = task.model_copy(update={"status": "sent", "group": "reminded"})
            return await _sent(sent, state, stores, publish, now)
    if capped:
        return await _defer(task, state, min(capped), stores, publish, channels, now)
    failed = task.model_copy(update={"status": "failed", "reason": "all_channels_failed"})
    if state.ward_code:
        await stores.worklist.put(_work(failed, state, "failed", now))
    await publish(topics.NOTIFY_REMINDER, outcomes.outcome(failed, now))
    await stores.tasks.put(failed)
    metrics.OUTCOMES.labels(task.kind, "failed", "all_channels_failed").inc()
    return "failed"


async def _claim_and_send(task, state, sender: Sender, address: str, stores, channels, now):
    channel = sender.channel
    task = task.model_copy(update={"status": "sending", "channel": channel})
    await stores.tasks.put(task)  # the claim: a crash from here resends with the same key
    receipt, unicode = await _try(sender, task, state, channel, address, channels)
    answer = "accepted" if receipt.accepted else receipt.error or "refused"
    metrics.SENDS.labels(channel, answer).inc()
    return _attempted(task, channel, receipt, unicode, now), receipt.accepted


async def _try(
    sender: Sender, task, state, channel: Channel, address: str, channels
) -> tuple[Receipt, bool]:
    message = compose(task, state, channel, address, channels.link)
    receipt = await sender.send(message)
    if channel != "sms" or receipt.accepted:
        return receipt, message.unicode
    if ladder.after_failure(receipt.error, unicode=message.unicode) != "retry_unaccented":
        return receipt, message.unicode
    plain = compose(task, state, channel, address, channels.link, unicode=False)
    metrics.UNACCENTED.inc()
    return await sender.send(plain), False


def _attempted(
    task: Task, channel: Channel, receipt: Receipt, unicode: bool, now: datetime
) -> Task:
    attempt = Attempt(
        channel=channel,
        accepted=receipt.accepted,
        error=receipt.error,
        provider_id=receipt.provider_id,
        unicode=unicode,
        at=now,
    )
    return task.model_copy(update={"attempts": (*task.attempts, attempt)})


async def _sent(task: Task, state: CitizenState, stores: Stores, publish: Publish, now) -> str:
    await publish(topics.NOTIFY_REMINDER, outcomes.outcome(task, now))
    await stores.tasks.put(task)
    if task.kind == "incomplete_profile" and not task.undelivered:  # counted when first sent
        await stores.states.save(state.with_sent(task.campaign, now))
    await stores.worklist.remove(task.person_id)
    metrics.OUTCOMES.labels(task.kind, "sent", task.channel or "").inc()
    return f"sent:{task.channel}"


def _work(task: Task, state: CitizenState, reason: str, now: datetime) -> WorkItem:
    return WorkItem(
        person_id=task.person_id,
        ward_code=state.ward_code or "",
        reason=reason,
        ask=task.item if task.kind == "incomplete_profile" else "",
        since=now,
    )
