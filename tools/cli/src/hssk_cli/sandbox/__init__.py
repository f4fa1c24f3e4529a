"""The dev sandbox: a real SMTP server and fake SMS / Zalo ZNS / push providers, recording what
they accept to a JSON-lines outbox. Run it with `python -m hssk_cli.sandbox --smtp-port 2525
--http-port 8025 --outbox FILE`; tests start it in-process with `start()`.

HTTP: POST /sms /zns /push (the providers, shapes in hssk_notify.adapters.channels.providers);
POST /faults (a `Fault`: {"channel", "error", "to"?, "times"?, "retry_after_s"?, "delay_s"?}),
DELETE /faults; GET /outbox[?to=], DELETE /outbox; GET /receipts; GET /healthz. With
`--receipts-url` and `--receipts-secret-file`, each accepted SMS or Zalo message is followed by
a signed delivery receipt to notify (the fault "undelivered": accepted, then reported lost).
Providers accept an Idempotency-Key once: a repeat gets the same answer and is not recorded
again. SMTP records a
repeated Message-ID with "duplicate": true. Fixed rule: ZNS answers -118 (no Zalo account) to
any phone ending in 0000.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from hssk_cli.sandbox.providers import INACTIVE_SUFFIX, provider_app
from hssk_cli.sandbox.receipts import Receipts
from hssk_cli.sandbox.smtp import SmtpHandler, serve_smtp
from hssk_cli.sandbox.state import Fault, Outbox, Record, Sandbox, table

__all__ = [
    "INACTIVE_SUFFIX",
    "Fault",
    "Outbox",
    "Receipts",
    "Record",
    "Running",
    "Sandbox",
    "SmtpHandler",
    "provider_app",
    "serve_smtp",
    "start",
    "table",
]


@dataclass
class Running:
    """A sandbox serving on this event loop; `await running.stop()` ends it."""

    sandbox: Sandbox
    smtp_port: int
    http_port: int
    smtp: asyncio.Server
    http: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    async def stop(self) -> None:
        self.http.should_exit = True
        self.smtp.close()
        await self.task
        await self.smtp.wait_closed()


async def start(
    outbox: Path,
    *,
    host: str = "127.0.0.1",
    smtp_port: int = 0,
    http_port: int = 0,
    receipts: Receipts | None = None,
) -> Running:
    """Both servers on this event loop; port 0 picks a free port (read it from the answer).
    With `receipts`, accepted SMS and Zalo messages are reported to notify's webhook."""
    sandbox = Sandbox(Outbox(outbox), receipts=receipts)
    smtp = await serve_smtp(sandbox, host, smtp_port)
    smtp_port = smtp.sockets[0].getsockname()[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, http_port))
    config = uvicorn.Config(
        provider_app(sandbox, smtp_port),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    http = uvicorn.Server(config)
    task = asyncio.create_task(http.serve(sockets=[sock]))
    while not http.started:
        if task.done():
            smtp.close()
            task.result()  # raises what stopped it
            raise RuntimeError("the sandbox's HTTP server stopped during start-up")
        await asyncio.sleep(0.01)
    return Running(sandbox, smtp_port, sock.getsockname()[1], smtp, http, task)
