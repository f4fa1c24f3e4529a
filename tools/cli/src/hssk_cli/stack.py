"""The whole local platform: engines, topics, dev keys, the notify sandbox (fake SMTP / SMS /
Zalo / push providers) and the four services, up and down."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from hssk_cli import engines, procs
from hssk_cli.paths import Layout
from hssk_contracts import topics
from hssk_kit import devtokens


@dataclass(frozen=True)
class ServiceDef:
    name: str
    module: str
    port: int
    env_prefix: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SERVICES = (
    ServiceDef("identity", "hssk_identity", 8001, "IDENTITY_"),
    ServiceDef("records", "hssk_records", 8002, "RECORDS_"),
    ServiceDef("ingest-emr", "hssk_ingest_emr", 8003, "INGEST_EMR_"),
    ServiceDef("notify", "hssk_notify", 8004, "NOTIFY_"),
)
BY_NAME = {s.name: s for s in SERVICES}
BOOTSTRAP = f"127.0.0.1:{engines.KAFKA_PORT}"
MONGO_URL = f"mongodb://127.0.0.1:{engines.MONGO_PORT}/"
# The dev sandbox (hssk_cli.sandbox): notify's channels point at it, never at real providers.
SANDBOX_SMTP_PORT = 2525
SANDBOX_HTTP_PORT = 8025
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_HTTP_PORT}"


async def create_topics(timeout_s: float = 30) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP, request_timeout_ms=10_000)
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(t.name, t.partitions, 1, topic_configs=t.config)
            for t in topics.ALL
            if t.name not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in wanted]
    finally:
        await admin.close()


def service_env(layout: Layout, svc: ServiceDef) -> dict[str, str]:
    private, public = devtokens.ensure_keys(layout.keys)
    values = {
        "ENVIRONMENT": "dev",
        "KAFKA_BOOTSTRAP": BOOTSTRAP,
        "MONGO_URL": MONGO_URL,
        "MONGO_DB": f"hssk_{svc.module.removeprefix('hssk_')}",
        "HTTP_PORT": str(svc.port),
        "JWT_PUBLIC_KEY_FILE": str(public),
        "PAGES_SITE": json.dumps({s.name: s.url for s in SERVICES}),
    }
    if svc.name == "records":  # QR codes and the citizen sessions they open
        values["QR_SECRET_FILE"] = str(devtokens.ensure_secret(layout.keys / "records-qr.key"))
        values["SESSION_KEY_FILE"] = str(private)
    if svc.name == "notify":  # every channel goes to the sandbox
        values |= {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(SANDBOX_SMTP_PORT),
            "SMTP_SENDER": "nhac-nho@hssk.local",
            "SMS_URL": f"{SANDBOX_URL}/sms",
            "ZNS_URL": f"{SANDBOX_URL}/zns",
            "PUSH_URL": f"{SANDBOX_URL}/push",
            # A clock tests and demos may set (PUT /v1/dev/clock): a night in seconds.
            "MANUAL_CLOCK": "true",
            "SELF_DECLARATION_URL": f"{BY_NAME['records'].url}/me",
            "RECEIPT_SECRET_FILE": str(receipt_secret(layout)),
        }
    return {svc.env_prefix + k: v for k, v in values.items()}


def ready(svc: ServiceDef) -> bool:
    try:
        return httpx.get(f"{svc.url}/readyz", timeout=3.0).status_code == 200
    except httpx.HTTPError:
        return False


def receipt_secret(layout: Layout) -> Path:
    """What the sandbox's providers sign delivery receipts with, and notify checks them by."""
    return devtokens.ensure_secret(layout.keys / "notify-receipts.key")


def sandbox_outbox(layout: Layout) -> Path:
    return layout.data / "sandbox-outbox.jsonl"


def sandbox_ready() -> bool:
    try:
        return httpx.get(f"{SANDBOX_URL}/healthz", timeout=3.0).status_code == 200
    except httpx.HTTPError:
        return False


def start_sandbox(layout: Layout, timeout_s: float = 30) -> None:
    argv = [sys.executable, "-m", "hssk_cli.sandbox", "--smtp-port", str(SANDBOX_SMTP_PORT)]
    argv += ["--http-port", str(SANDBOX_HTTP_PORT), "--outbox", str(sandbox_outbox(layout))]
    argv += ["--receipts-url", f"{BY_NAME['notify'].url}/v1/receipts"]
    argv += ["--receipts-secret-file", str(receipt_secret(layout))]
    pid = procs.start(layout, "sandbox", argv)
    procs.wait_for("the sandbox", sandbox_ready, timeout_s, layout.logs / "sandbox.log", pid)


def up(layout: Layout, *, services: bool = True, timeout_s: float = 90) -> None:
    layout.make()
    engines.require_tools("java", "mvn", "go")
    engines.start_ferretdb(layout)
    engines.start_kafka(layout)
    created = asyncio.run(_create_topics_when_ready(timeout_s))
    if created:
        print(f"hssk: created topics {', '.join(created)}", file=sys.stderr)
    devtokens.ensure_keys(layout.keys)
    start_sandbox(layout)
    if services:
        start_services(layout, [s.name for s in SERVICES], timeout_s)


async def _create_topics_when_ready(timeout_s: float) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            return await create_topics()
        except Exception as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise SystemExit(f"hssk: Kafka did not accept topic creation: {exc!r}") from None
            await asyncio.sleep(1)


def start_services(layout: Layout, names: list[str], timeout_s: float = 90) -> None:
    started = []
    for name in names:
        svc = BY_NAME[name]
        pid = procs.start(
            layout, svc.name, [sys.executable, "-m", svc.module], env=service_env(layout, svc)
        )
        started.append((svc, pid))
    for svc, pid in started:
        procs.wait_for(
            f"service {svc.name}",
            partial(ready, svc),
            timeout_s,
            layout.logs / f"{svc.name}.log",
            pid,
        )


def down_services(layout: Layout, names: list[str]) -> list[str]:
    return [n for n in names if procs.stop(layout, n)]


def down(layout: Layout, *, services_only: bool = False) -> list[str]:
    names = [s.name for s in SERVICES] + ["sandbox"]
    names += [] if services_only else ["kafka", "ferretdb"]
    return [n for n in names if procs.stop(layout, n)]


def status(layout: Layout) -> list[tuple[str, str]]:
    rows = []
    for name, port in (("kafka", engines.KAFKA_PORT), ("ferretdb", engines.MONGO_PORT)):
        pid = procs.pid_of(layout, name)
        state = "up" if pid and engines.port_open(port) else ("starting" if pid else "down")
        rows.append((name, f"{state:8} pid={pid or '-'} port={port}"))
    pid = procs.pid_of(layout, "sandbox")
    state = "ready" if pid and sandbox_ready() else ("not ready" if pid else "down")
    rows.append(("sandbox", f"{state:8} pid={pid or '-'} {SANDBOX_URL} smtp={SANDBOX_SMTP_PORT}"))
    for svc in SERVICES:
        pid = procs.pid_of(layout, svc.name)
        state = "ready" if pid and ready(svc) else ("not ready" if pid else "down")
        rows.append((svc.name, f"{state:8} pid={pid or '-'} {svc.url}"))
    return rows
