"""The composition root: builds settings, clients, adapters, the API and the consumer loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hssk_contracts import topics
from hssk_kit import mongo
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service
from hssk_records.adapters.mongo import MongoRecordRepository
from hssk_records.entrypoints import consumer, http
from hssk_records.settings import Settings

SERVICE = "records"


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE)
    records = MongoRecordRepository(db)
    audit = mongo.MongoAuditLog(db, SERVICE)
    loop = ConsumerLoop(
        service=SERVICE,
        group_id="records",
        topics=consumer.TOPICS,
        bootstrap=settings.kafka_bootstrap,
        publisher=publisher,
        handle=consumer.records_consumer(records=records, clock=clock),
        dead_letter=dead_letter_to(topics.PLATFORM_DLQ, SERVICE),
        batch_size=settings.consumer_batch,
    )

    app = new_app("HSSK records", "One living health record per citizen.", TokenVerifier(settings))
    app.include_router(
        http.router(
            records=records,
            audit=audit,
            clock=clock,
            doctor_window=timedelta(days=settings.doctor_access_days),
        )
    )
    install(
        app,
        lambda: {"kafka": publisher.check, "mongo": lambda: mongo.ping(db), "consumer": loop.check},
    )

    async def stop() -> None:
        await publisher.stop()
        await client.close()

    return Service(app=app, start=publisher.start, stop=stop, workers=[loop.run])
