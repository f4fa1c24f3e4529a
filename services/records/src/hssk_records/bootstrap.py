"""The composition root: builds settings, clients, adapters, the API and the consumer loops."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hssk_contracts import topics
from hssk_kit import mongo
from hssk_kit.audit import PublishedAuditLog
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service
from hssk_records.adapters.mongo import (
    MongoAccessLogStore,
    MongoGrantStore,
    MongoPersonKeys,
    MongoRecordRepository,
)
from hssk_records.entrypoints import consumer, http
from hssk_records.settings import Settings

SERVICE = "records"


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE)
    records = MongoRecordRepository(db)
    access_logs = MongoAccessLogStore(db)
    keys = MongoPersonKeys(db)
    audit = PublishedAuditLog(publisher.publish, SERVICE)

    def loop(group: str, topic_list: list, handle) -> ConsumerLoop:
        return ConsumerLoop(
            service=SERVICE,
            group_id=group,
            topics=topic_list,
            bootstrap=settings.kafka_bootstrap,
            publisher=publisher,
            handle=handle,
            dead_letter=dead_letter_to(topics.PLATFORM_DLQ, SERVICE),
            batch_size=settings.consumer_batch,
        )

    visits = loop(
        "records",
        consumer.TOPICS,
        consumer.records_consumer(records=records, keys=keys, clock=clock),
    )
    accesses = loop(
        "records-access-log",
        consumer.AUDIT_TOPICS,
        consumer.audit_consumer(log=access_logs, keys=keys),
    )
    app = new_app(
        "HSSK records",
        "One living health record per citizen.",
        TokenVerifier(settings),
        service=SERVICE,
        audit=audit,
    )
    app.include_router(
        http.router(
            records=records,
            grants=MongoGrantStore(db),
            access_logs=access_logs,
            audit=audit,
            clock=clock,
            doctor_window=timedelta(days=settings.doctor_access_days),
            emergency_lasts=timedelta(minutes=settings.emergency_access_minutes),
            emergencies_per_day=settings.emergency_accesses_per_day,
        )
    )

    async def consuming() -> None:
        await visits.check()
        await accesses.check()

    install(
        app,
        lambda: {"kafka": publisher.check, "mongo": lambda: mongo.ping(db), "consumer": consuming},
    )

    async def stop() -> None:
        await publisher.stop()
        await client.close()

    return Service(app=app, start=publisher.start, stop=stop, workers=[visits.run, accesses.run])
