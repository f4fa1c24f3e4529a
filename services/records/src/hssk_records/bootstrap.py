"""The composition root: builds settings, clients, adapters, the API and the consumer loops."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hssk_contracts import topics
from hssk_kit import mongo, staff_pages
from hssk_kit.audit import PublishedAuditLog
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.fhir_errors import OperationOutcomes
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service
from hssk_records.adapters import mongo as adapters
from hssk_records.adapters.mongo_stats import MongoStatsStore
from hssk_records.adapters.sessions import JwtSessions
from hssk_records.context import Context, Policy
from hssk_records.domain.stats.disclosure import Policy as StatsPolicy
from hssk_records.entrypoints import (
    consumer,
    http,
    http_dashboard,
    http_desk,
    http_fhir,
    http_me,
    http_pages,
    http_public,
    http_staff,
    http_stats,
)
from hssk_records.settings import Settings
from hssk_records.statistics_read import StatsView
from hssk_records.writing import Stores

SERVICE = "records"


def context(settings: Settings, db, publisher: Publisher, clock) -> Context:
    policy = Policy(
        doctor_window=timedelta(days=settings.doctor_access_days),
        emergency_lasts=timedelta(minutes=settings.emergency_access_minutes),
        emergencies_per_day=settings.emergency_accesses_per_day,
        qr_key=Path(settings.qr_secret_file).read_bytes(),
        qr_lasts=timedelta(hours=settings.qr_valid_hours),
        public_url=settings.public_url.rstrip("/"),
        secure_cookies=settings.environment == "production",
    )
    sessions = JwtSessions(
        settings.session_key_file,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lasts=timedelta(minutes=settings.session_minutes),
    )
    return Context(
        stores=Stores(
            adapters.MongoRecordRepository(db),
            adapters.MongoEventLog(db),
            adapters.MongoEncounterStore(db),
        ),
        grants=adapters.MongoGrantStore(db),
        allowances=adapters.MongoAllowances(db),
        access_logs=adapters.MongoAccessLogStore(db),
        shares=adapters.MongoShareStore(db),
        qr_ledger=adapters.MongoQrLedger(db),
        corrections=adapters.MongoCorrectionStore(db),
        sessions=sessions,
        audit=PublishedAuditLog(publisher.publish, SERVICE),
        publish=publisher.publish,
        clock=clock,
        policy=policy,
    )


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE, settings.public_url)
    ctx = context(settings, db, publisher, clock)
    keys = adapters.MongoPersonKeys(db)

    def loop(group: str, topic_list: list, handle=None, fold=None) -> ConsumerLoop:
        return ConsumerLoop(
            service=SERVICE,
            group_id=group,
            topics=topic_list,
            bootstrap=settings.kafka_bootstrap,
            publisher=publisher,
            handle=handle,
            fold=fold,
            dead_letter=dead_letter_to(topics.PLATFORM_DLQ, SERVICE),
            batch_size=settings.consumer_batch,
        )

    visits = loop(
        "records",
        consumer.TOPICS,
        consumer.records_consumer(stores=ctx.stores, keys=keys, clock=clock),
    )
    accesses = loop(
        "records-access-log",
        consumer.AUDIT_TOPICS,
        consumer.audit_consumer(log=ctx.access_logs, keys=keys),
    )
    stats = MongoStatsStore(db)
    folding = loop(
        "records-stats",
        consumer.STATS_TOPICS,
        fold=consumer.stats_fold(stats=stats, stores=ctx.stores),
    )
    reminding = loop(
        "records-reminder-stats",
        consumer.REMINDER_TOPICS,
        fold=consumer.reminders_fold(stats=stats),
    )
    view = StatsView(
        stats,
        topics.RECORDS_CHANGE.partitions,
        StatsPolicy(settings.stats_min_cell),
        clock,
        reminder_partitions=topics.NOTIFY_REMINDER.partitions,
    )
    app = new_app(
        "HSSK records",
        "One living health record per citizen: read, declared, shared, audited.",
        TokenVerifier(settings),
        service=SERVICE,
        audit=ctx.audit,
    )
    for make in (http.router, http_me.router, http_public.router, http_fhir.router):
        app.include_router(make(ctx))
    app.add_middleware(OperationOutcomes, prefixes=("/fhir/",))  # FHIR's errors, FHIR's shape
    app.include_router(http_pages.router(ctx, site=settings.pages_site))
    if settings.environment != "production":  # the city's identity provider signs staff in
        app.include_router(
            http_staff.router(
                settings.session_key_file,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            )
        )
    app.include_router(http_stats.router(view, ctx.audit, clock))
    staff_sign_in = staff_pages.sign_in_url(settings.environment, settings.pages_site)
    app.include_router(http_dashboard.router(view, ctx.audit, clock, sign_in=staff_sign_in))
    app.include_router(http_desk.router(ctx, site=settings.pages_site, sign_in=staff_sign_in))

    async def consuming() -> None:
        await visits.check()
        await accesses.check()
        await folding.check()
        await reminding.check()

    install(
        app,
        lambda: {"kafka": publisher.check, "mongo": lambda: mongo.ping(db), "consumer": consuming},
        settings.public_url,
    )

    async def stop() -> None:
        await publisher.stop()
        await client.close()

    async def refreshing() -> None:
        await view.run(every=settings.stats_refresh_seconds)

    workers = [visits.run, accesses.run, folding.run, reminding.run, refreshing]
    return Service(app=app, start=publisher.start, stop=stop, workers=workers)
