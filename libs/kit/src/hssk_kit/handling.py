"""One message through its handler: retries, the dead letter, and the poison-message guard that
keeps one message from ever stopping the loop, so a worker never crash-loops on it."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from hssk_contracts import text
from hssk_contracts.codec import DecodeError, Problem
from hssk_kit import metrics
from hssk_kit.messages import DeadLetter, Handle, Inbound, Publish, Rejected, transient

log = logging.getLogger("hssk_kit.bus")  # the logger name the loop has always logged under

# Raw bytes a critical "lost" line carries: enough to find the message, short enough that the
# line stays under the 16 KiB at which container runtimes split log lines.
LOGGED_BYTES = 6 * 1024


@dataclass(frozen=True)
class Retry:
    """A non-transient failure gets `attempts` tries before it is dead-lettered; a transient one
    is retried for ever with exponential back-off. `scale` shrinks every pause (tests)."""

    attempts: int = 3
    scale: float = 1.0

    def transient_pause(self, attempt: int) -> float:
        return self.scale * min(0.2 * 2 ** min(attempt, 5), 5.0)

    def failure_pause(self, attempt: int) -> float:
        return self.scale * 0.1 * attempt


def where(msg: Inbound) -> dict[str, Any]:
    return {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset}


def described(exc: BaseException) -> str:
    """`exc` as safe text, even when its message holds a lone surrogate or str() raises."""
    try:
        said = f"{type(exc).__name__}: {exc}"
    except Exception:
        said = type(exc).__name__
    return text.shown(said) or type(exc).__name__


class GuardedHandler:
    """Handles a message until it is done with: handled, dead-lettered, sent as a minimal poison
    record, or (when even that is refused) logged critical and counted. Never raises an
    Exception, so the loop commits and moves on; cancellation still propagates."""

    def __init__(self, service: str, handle: Handle, dead_letter: DeadLetter, retry: Retry):
        self.service = service
        self._handle = handle
        self._dead_letter = dead_letter
        self._retry = retry

    async def __call__(self, msg: Inbound, publish: Publish) -> None:
        attempt = 0
        try:
            while True:
                attempt += 1
                if await self._attempt(msg, publish, attempt):
                    return
        except Exception as exc:  # a fault of this guard itself must not stop the loop either
            await self._poison(msg, exc, attempt, publish)

    async def _attempt(self, msg: Inbound, publish: Publish, attempt: int) -> bool:
        """One try of the handler; True once the message is done with."""
        started = time.perf_counter()
        try:
            await self._handle(msg, publish)
        except (DecodeError, Rejected) as exc:
            facility = exc.facility_code if isinstance(exc, Rejected) else None
            await self._reject(msg, exc.problems, attempt, publish, "rejected", facility)
            return True
        except Exception as exc:
            return await self._failed(msg, exc, attempt, publish)
        elapsed = time.perf_counter() - started
        metrics.HANDLER_SECONDS.labels(self.service, msg.topic).observe(elapsed)
        metrics.CONSUMED.labels(self.service, msg.topic, "ok").inc()
        return True

    async def _failed(self, msg: Inbound, exc: Exception, attempt: int, publish: Publish) -> bool:
        if transient(exc):
            await self._pause(msg, exc, attempt, "handler")
            return False
        log.error(
            "handler failed",
            exc_info=exc,
            extra={**where(msg), "attempt": attempt, "error": described(exc)},
        )
        if attempt < self._retry.attempts:
            await asyncio.sleep(self._retry.failure_pause(attempt))
            return False
        problem = Problem("$", "handler_error", described(exc))
        await self._reject(msg, [problem], attempt, publish, "failed")
        return True

    async def _reject(
        self,
        msg: Inbound,
        problems: list[Problem],
        attempt: int,
        publish: Publish,
        outcome: str,
        facility_code: str | None = None,
    ) -> None:
        try:
            await self._until_done(
                msg, lambda: self._dead_letter(msg, problems, attempt, publish, facility_code)
            )
        except Exception as exc:
            await self._poison(msg, exc, attempt, publish)
            return
        metrics.CONSUMED.labels(self.service, msg.topic, outcome).inc()
        shown = [(text.shown(p.field), text.shown(p.rule)) for p in problems[:5]]
        for _, rule in shown:
            metrics.DEAD_LETTERS.labels(self.service, msg.topic, rule or "unknown").inc()
        reasons = [f"{field}: {rule}" for field, rule in shown]
        log.warning("message dead-lettered", extra={**where(msg), "reasons": reasons})

    async def _poison(self, msg: Inbound, cause: Exception, attempt: int, publish: Publish) -> None:
        error = type(cause).__name__
        log.error(
            "poison message: handling or dead-lettering failed, sending the minimal record",
            exc_info=cause,
            extra={**where(msg), "error": described(cause)},
        )
        try:
            await self._until_done(
                msg, lambda: self._dead_letter.poison(msg, error, max(attempt, 1), publish)
            )
        except Exception as exc:
            self._lost(msg, exc)
            return
        metrics.POISON.labels(self.service, msg.topic).inc()
        metrics.CONSUMED.labels(self.service, msg.topic, "poison").inc()

    def _lost(self, msg: Inbound, exc: Exception) -> None:
        metrics.POISON_LOST.labels(self.service, msg.topic).inc()
        metrics.CONSUMED.labels(self.service, msg.topic, "lost").inc()
        log.critical(
            "poison message refused even as a minimal record; skipped, recover it from the log",
            exc_info=exc,
            extra={
                **where(msg),
                "error": described(exc),
                "key": text.shown(msg.key),
                "size": len(msg.value),
                "original_b64": base64.b64encode(msg.value[:LOGGED_BYTES]).decode(),
                "truncated": len(msg.value) > LOGGED_BYTES,
            },
        )

    async def _until_done(self, msg: Inbound, send: Callable[[], Awaitable[None]]) -> None:
        """`send` a dead letter until it lands; a transient failure (broker or database away)
        waits and tries again for ever, since nothing may be lost. Others are raised."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await send()
            except Exception as exc:
                if not transient(exc):
                    raise
                await self._pause(msg, exc, attempt, "dead letter")

    async def _pause(self, msg: Inbound, exc: Exception, attempt: int, during: str) -> None:
        metrics.RETRIES.labels(self.service, msg.topic).inc()
        log.warning(
            "transient failure, retrying",
            extra={**where(msg), "attempt": attempt, "during": during, "error": described(exc)},
        )
        await asyncio.sleep(self._retry.transient_pause(attempt))
