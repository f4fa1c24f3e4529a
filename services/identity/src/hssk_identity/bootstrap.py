"""The composition root: builds settings, clients, adapters, the API and the consumer loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hssk_contracts import topics
from hssk_identity import merges
from hssk_identity.adapters.mongo import (
    MongoBlockIndex,
    MongoCareRelations,
    MongoDecisionLog,
    MongoMergeLog,
    MongoPersonRepository,
    MongoReviewQueue,
)
from hssk_identity.entrypoints import consumer, http, http_desk
from hssk_identity.handlers import Index
from hssk_identity.settings import Settings
from hssk_kit import mongo, staff_pages
from hssk_kit.audit import PublishedAuditLog
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service

SERVICE = "identity"


def build_index(db) -> Index:
    return Index(
        persons=MongoPersonRepository(db),
        blocks=MongoBlockIndex(db),
        reviews=MongoReviewQueue(db),
        merges=MongoMergeLog(db),
        decisions=MongoDecisionLog(db),
        care=MongoCareRelations(db),
    )


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE, settings.public_url)
    index = build_index(db)
    audit = PublishedAuditLog(publisher.publish, SERVICE)
    loop = ConsumerLoop(
        service=SERVICE,
        group_id="identity",
        topics=[topics.EMR_VISIT_ACCEPTED],
        bootstrap=settings.kafka_bootstrap,
        publisher=publisher,
        handle=consumer.accepted_visit_consumer(index=index, clock=clock),
        dead_letter=dead_letter_to(topics.PLATFORM_DLQ, SERVICE),
        batch_size=settings.consumer_batch,
    )

    app = new_app(
        "HSSK identity",
        "The master citizen index.",
        TokenVerifier(settings),
        service=SERVICE,
        audit=audit,
    )
    app.include_router(
        http.router(index=index, publish=publisher.publish, audit=audit, clock=clock)
    )
    app.add_exception_handler(merges.ActionRefused, http.refused)
    app.include_router(staff_pages.assets_router())
    app.include_router(
        http_desk.router(
            index=index,
            publish=publisher.publish,
            audit=audit,
            site=settings.pages_site,
            sign_in=staff_pages.sign_in_url(settings.environment, settings.pages_site),
        )
    )
    install(
        app,
        lambda: {"kafka": publisher.check, "mongo": lambda: mongo.ping(db), "consumer": loop.check},
        settings.public_url,
    )

    async def stop() -> None:
        await publisher.stop()
        await client.close()

    return Service(app=app, start=publisher.start, stop=stop, workers=[loop.run])
