"""Use case: a provider's delivery receipt for a message it accepted. Delivered: the reminder
becomes `delivered` and ReminderDelivered is published. Not delivered (an SMS that expired on a
switched-off phone): the reminder is due again at once, to go down the citizen's ladder from the
next channel; if none is left it fails and the ward follows it up.

Providers send a receipt again until they get a 2xx, and may send it late: a receipt for a
message already settled, or for a channel the reminder has left, changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from hssk_contracts import topics
from hssk_kit.bus import Publish
from hssk_notify import metrics
from hssk_notify.domain import outcomes
from hssk_notify.domain.receipts import Report
from hssk_notify.stores import Stores, minute

Outcome = Literal["delivered", "sent_again", "repeat", "stale", "unknown"]


async def on_receipt(
    report: Report, *, stores: Stores, publish: Publish, wake: Callable[[], None], now: datetime
) -> Outcome:
    outcome = await _settle(report, stores, publish, wake, now)
    metrics.RECEIPTS.labels(report.channel, outcome).inc()
    return outcome


async def _settle(report: Report, stores: Stores, publish: Publish, wake, now) -> Outcome:
    task_id = report.task_id
    first = await stores.tasks.get(task_id) if task_id else None
    if task_id is None or first is None:
        return "unknown"
    # The citizen's lock: a receipt that overtakes the send (fast providers) waits until the
    # task is stored as sent, and never races the scheduler's dispatch of the same task.
    async with stores.locks.hold(first.person_id):
        task = await stores.tasks.get(task_id)
        assert task is not None  # tasks are never deleted
        if task.status == "delivered" and task.channel == report.channel:
            return "repeat"
        if task.status != "sent" or task.channel != report.channel:
            lost_again = not report.delivered and report.channel in task.undelivered
            return "repeat" if lost_again else "stale"
        if report.delivered:
            done = task.model_copy(update={"status": "delivered", "delivered_at": report.at})
            await publish(topics.NOTIFY_REMINDER, outcomes.outcome(done, now, report.provider_id))
            await stores.tasks.put(done)
            metrics.OUTCOMES.labels(task.kind, "delivered", report.channel).inc()
            return "delivered"
        again = task.model_copy(
            update={
                "status": "scheduled",
                "due_at": now,
                "reason": f"undelivered:{report.error}",
                "undelivered": (*task.undelivered, report.channel),
            }
        )
        await stores.due.add(minute(now), task.id)
        await stores.tasks.put(again)
    wake()
    return "sent_again"
