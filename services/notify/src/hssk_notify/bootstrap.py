"""The composition root: builds settings, clients, adapters, the API, the consumer loop and the
scheduler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from hssk_contracts import topics
from hssk_kit import mongo, staff_pages
from hssk_kit.audit import PublishedAuditLog
from hssk_kit.auth import TokenVerifier
from hssk_kit.bus import ConsumerLoop, Publisher
from hssk_kit.deadletter import dead_letter_to
from hssk_kit.http import install, new_app
from hssk_kit.runtime import Service
from hssk_notify import dispatching, handlers
from hssk_notify.adapters.channels import build_senders
from hssk_notify.adapters.mongo import mongo_stores
from hssk_notify.clock import ManualClock, system_clock
from hssk_notify.domain.caps import Caps
from hssk_notify.domain.decisions import Rules
from hssk_notify.entrypoints import (
    consumer,
    http,
    http_desk,
    http_receipts,
    http_reminder_page,
)
from hssk_notify.lease import Lease, holder_name
from hssk_notify.scheduler import Scheduler
from hssk_notify.settings import Settings

SERVICE = "notify"


def bootstrap(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    senders: Mapping | None = None,
) -> Service:
    clock = clock or (ManualClock() if settings.manual_clock else system_clock)
    client, db = mongo.connect(settings.mongo_url, settings.mongo_db)
    publisher = Publisher(settings.kafka_bootstrap, SERVICE, settings.public_url)
    stores = mongo_stores(db)
    channels_built = None
    if senders is None:
        channels_built = build_senders(
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            smtp_sender=settings.smtp_sender,
            sms_url=settings.sms_url,
            zns_url=settings.zns_url,
            push_url=settings.push_url,
            provider_token=_secret(settings.provider_token_file),
            timeout_s=settings.provider_timeout_s,
            retries=settings.provider_retries,
        )
        senders = channels_built.senders
    link = settings.self_declaration_url
    rules = Rules(caps=Caps(), holdout_share=settings.holdout_share)
    channels = dispatching.Channels(senders=dict(senders), link=link, rules=rules)
    audit = PublishedAuditLog(publisher.publish, SERVICE)
    scheduler = Scheduler(
        stores=stores,
        dispatch=lambda task_id, now: dispatching.dispatch(
            task_id, stores=stores, channels=channels, publish=publisher.publish, now=now
        ),
        schedule=lambda state, tasks, now, index_due=True: handlers.schedule(
            state, tasks, stores, publisher.publish, now, link, scheduler.wake, index_due=index_due
        ),
        clock=clock,
        tick_s=settings.scheduler_tick_s,
        lease=Lease(stores.due, holder_name()),
    )
    loop = ConsumerLoop(
        service=SERVICE,
        group_id="notify",
        topics=[topics.RECORDS_CHANGE, topics.RECORDS_CONTACT],
        bootstrap=settings.kafka_bootstrap,
        publisher=publisher,
        handle=consumer.record_consumer(stores=stores, clock=clock, link=link, wake=scheduler.wake),
        dead_letter=dead_letter_to(topics.PLATFORM_DLQ, SERVICE),
        batch_size=settings.consumer_batch,
    )

    app = new_app(
        "HSSK notify",
        "Reminders for citizens: planned from record changes, sent through their channels "
        "within the sending window, capped, measured against a hold-out.",
        TokenVerifier(settings),
        service=SERVICE,
        audit=audit,
    )
    app.include_router(
        http.router(stores=stores, audit=audit, clock=clock, min_cell=settings.min_cell)
    )
    app.include_router(
        http_receipts.router(
            secret=_secret_bytes(settings.receipt_secret_file),
            stores=stores,
            publish=publisher.publish,
            wake=scheduler.wake,
            clock=clock,
        )
    )
    app.include_router(staff_pages.assets_router())
    app.include_router(http_reminder_page.router(stores=stores, site=settings.pages_site))
    app.include_router(
        http_desk.router(
            stores=stores,
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
        if channels_built is not None:
            await channels_built.close()
        await publisher.stop()
        await client.close()

    return Service(app=app, start=publisher.start, stop=stop, workers=[loop.run, scheduler.run])


def _secret_bytes(path: str | None) -> bytes:
    return Path(path).read_bytes().strip() if path else b""


def _secret(path: str | None) -> str:
    return Path(path).read_text(encoding="utf-8").strip() if path else ""
