"""The composition root: builds settings, clients, adapters, the API and the consumer loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hssk_contracts import topics
from hssk_kit import mongo
from hssk_kit.audit import PublishedAuditLog
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service
from hssk_notify.adapters.mongo import MongoReminderStore
from hssk_notify.entrypoints import consumer, http
from hssk_notify.settings import Settings

SERVICE = "notify"


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE)
    reminders = MongoReminderStore(db)
    audit = PublishedAuditLog(publisher.publish, SERVICE)
    loop = ConsumerLoop(
        service=SERVICE,
        group_id="notify",
        topics=[topics.RECORDS_CHANGE],
        bootstrap=settings.kafka_bootstrap,
        publisher=publisher,
        handle=consumer.record_change_consumer(reminders=reminders, clock=clock),
        dead_letter=dead_letter_to(topics.PLATFORM_DLQ, SERVICE),
        batch_size=settings.consumer_batch,
    )

    app = new_app(
        "HSSK notify",
        "Reminders for citizens.",
        TokenVerifier(settings),
        service=SERVICE,
        audit=audit,
    )
    app.include_router(http.router(reminders=reminders, audit=audit))
    install(
        app,
        lambda: {"kafka": publisher.check, "mongo": lambda: mongo.ping(db), "consumer": loop.check},
    )

    async def stop() -> None:
        await publisher.stop()
        await client.close()

    return Service(app=app, start=publisher.start, stop=stop, workers=[loop.run])
