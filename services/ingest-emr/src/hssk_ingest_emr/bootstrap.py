"""The composition root: builds settings, clients, adapters, the API and the consumer loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hssk_contracts import topics
from hssk_ingest_emr.adapters.mongo import MongoDeadLetterStore, MongoReceiptStore
from hssk_ingest_emr.entrypoints import consumer, http, http_dlq
from hssk_ingest_emr.settings import Settings
from hssk_kit import mongo
from hssk_kit.audit import PublishedAuditLog
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.fhir_errors import OperationOutcomes
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service

SERVICE = "ingest-emr"


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE, settings.public_url)
    receipts_store = MongoReceiptStore(db)
    dead_letters = MongoDeadLetterStore(db)
    audit = PublishedAuditLog(publisher.publish, SERVICE)
    dead_letter = dead_letter_to(
        topics.EMR_VISIT_DLQ, SERVICE, keep=consumer.keep_dead_letters(dead_letters)
    )
    loop = ConsumerLoop(
        service=SERVICE,
        group_id="ingest-emr",
        topics=consumer.TOPICS,
        bootstrap=settings.kafka_bootstrap,
        publisher=publisher,
        handle=consumer.visit_consumer(
            receipts_store=receipts_store, clock=clock, dead_letter=dead_letter
        ),
        dead_letter=dead_letter,
        batch_size=settings.consumer_batch,
    )

    app = new_app(
        "HSSK ingest-emr",
        "Hospital visits in, validated and de-duplicated.",
        TokenVerifier(settings),
        service=SERVICE,
        audit=audit,
    )
    app.include_router(
        http.router(receipts_store=receipts_store, publish=publisher.publish, clock=clock)
    )
    # A FHIR client posting a Bundle reads its refusal as FHIR: an OperationOutcome.
    app.add_middleware(OperationOutcomes, prefixes=("/v1/visits/fhir",))
    app.include_router(
        http_dlq.router(
            dead_letters=dead_letters,
            receipts_store=receipts_store,
            publish=publisher.publish,
            audit=audit,
            clock=clock,
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
