"""Kafka entrypoints, bytes -> contract event -> handler: resolved visits and person events
(one loop), audit events building the citizen's access log (a loop of its own, so the log
never waits behind a backlog of visits), and record changes folded into the statistics (a
loop of its own, folding each partition's batch whole), and notify's reminder outcomes folded
into the reminders' statistics (another)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from hssk_contracts import codec, topics
from hssk_contracts.events import AccessRecorded, RecordChanged, VisitResolved
from hssk_kit.bus import Inbound, Publish
from hssk_records import access_log, handlers, statistics_fold
from hssk_records.ports import AccessLogStore, PersonKeys, StatsStore
from hssk_records.statistics_fold import Reminder
from hssk_records.writing import Stores

TOPICS = [topics.RECORDS_VISIT, topics.IDENTITY_PERSON]
AUDIT_TOPICS = [topics.AUDIT_ACCESS]
STATS_TOPICS = [topics.RECORDS_CHANGE]
REMINDER_TOPICS = [topics.NOTIFY_REMINDER]


def records_consumer(*, stores: Stores, keys: PersonKeys, clock: Callable[[], datetime]):
    async def handle(msg: Inbound, publish: Publish) -> None:
        if msg.topic == topics.IDENTITY_PERSON.name:
            person_event = codec.decode(msg.topic, msg.value)
            await handlers.on_person_event(
                person_event, stores=stores, keys=keys, publish=publish, now=clock()
            )
            return
        event = codec.decode_as(VisitResolved, msg.topic, msg.value)
        await handlers.on_visit_resolved(event, stores=stores, publish=publish, now=clock())

    return handle


def audit_consumer(*, log: AccessLogStore, keys: PersonKeys):
    async def handle(msg: Inbound, publish: Publish) -> None:
        event = codec.decode_as(AccessRecorded, msg.topic, msg.value)
        await access_log.on_access_recorded(
            event, at=(msg.partition, msg.offset), log=log, keys=keys
        )

    return handle


def stats_fold(*, stats: StatsStore, stores: Stores):
    async def fold(msgs: list[Inbound], publish: Publish) -> None:
        changes = [(m.offset, codec.decode_as(RecordChanged, m.topic, m.value)) for m in msgs]
        await statistics_fold.fold(changes, msgs[0].partition, stats=stats, stores=stores)

    return fold


def reminders_fold(*, stats: StatsStore):
    async def fold(msgs: list[Inbound], publish: Publish) -> None:
        events = [(m.offset, cast(Reminder, codec.decode(m.topic, m.value))) for m in msgs]
        await statistics_fold.fold_reminders(events, msgs[0].partition, stats=stats)

    return fold
