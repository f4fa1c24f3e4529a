"""Retries with backoff and a circuit breaker around one provider: what turns a single try
(`Attempt`) into a channel's `Sender`. Clock, sleep and jitter are injected so tests never wait."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from hssk_notify import metrics
from hssk_notify.domain.messages import TRANSIENT, Channel, ErrorClass, Message, Receipt

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
State = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class Attempt:
    """One call to a provider. `retry_after_s` is the provider's Retry-After, when it sent one."""

    accepted: bool
    provider_id: str | None = None
    error: ErrorClass | None = None
    detail: str = ""
    retry_after_s: float | None = None

    @property
    def transient(self) -> bool:
        return not self.accepted and self.error in TRANSIENT


class Provider(Protocol):
    """One channel's provider, tried once. Never raises for refusals or network failures."""

    channel: Channel

    async def attempt(self, message: Message) -> Attempt: ...


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2  # tries after the first
    base_s: float = 0.2
    cap_s: float = 5.0
    # A Retry-After longer than this is not waited for: the ladder's next channel is better
    # than holding a reminder for minutes.
    max_retry_after_s: float = 30.0

    def delay(self, retry: int, rand: Callable[[], float]) -> float:
        """Exponential backoff with full jitter (retry 0 is the first retry)."""
        return rand() * min(self.cap_s, self.base_s * 2.0**retry)


class CircuitBreaker:
    """Opens after `threshold` consecutive transient failures; after `cool_down_s` lets one
    trial call through (half-open): its success closes the circuit, its failure reopens it."""

    def __init__(
        self, channel: Channel, *, threshold: int = 5, cool_down_s: float = 30.0, clock: Clock
    ) -> None:
        self.channel = channel
        self.threshold = threshold
        self.cool_down_s = cool_down_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._trial or self._clock() - self._opened_at >= self.cool_down_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        state = self.state
        if state == "half_open" and not self._trial:
            self._trial = True  # only one call tests a recovering provider
            self._moved("half_open")
            return True
        return state == "closed"

    def record(self, failed: bool) -> None:
        self._trial = False
        if not failed:
            if self._opened_at is not None:
                self._moved("closed")
            self._failures, self._opened_at = 0, None
            return
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.threshold:
            self._opened_at = self._clock()
            self._moved("open")

    def _moved(self, state: State) -> None:
        metrics.CHANNEL_CIRCUIT.labels(self.channel, state).inc()


class Resilient:
    """A `Sender`: tries its provider, retrying transient failures with backoff (honouring
    Retry-After) while its circuit allows; answers circuit_open without calling when it doesn't."""

    def __init__(
        self,
        provider: Provider,
        *,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.channel: Channel = provider.channel
        self.provider = provider
        self.policy = policy
        self.breaker = breaker
        self._sleep = sleep
        self._rand = rand

    async def send(self, message: Message) -> Receipt:
        tried = 0
        while True:
            if not self.breaker.allow():
                metrics.CHANNEL_ATTEMPTS.labels(self.channel, "circuit_open").inc()
                return Receipt(False, error="circuit_open", detail="circuit open", attempts=tried)
            result = await self._timed(message)
            tried += 1
            self.breaker.record(failed=result.transient)
            if not result.transient or tried > self.policy.retries:
                return _receipt(result, tried)
            wait = self._wait(result, tried - 1)
            if wait is None:
                return _receipt(result, tried)
            metrics.CHANNEL_RETRIES.labels(self.channel).inc()
            await self._sleep(wait)

    async def _timed(self, message: Message) -> Attempt:
        started = time.perf_counter()
        result = await self.provider.attempt(message)
        metrics.CHANNEL_SECONDS.labels(self.channel).observe(time.perf_counter() - started)
        outcome = "accepted" if result.accepted else (result.error or "unknown")
        metrics.CHANNEL_ATTEMPTS.labels(self.channel, outcome).inc()
        return result

    def _wait(self, result: Attempt, retry: int) -> float | None:
        """Seconds to wait before the next try, or None when the provider asks for too long."""
        if result.retry_after_s is None:
            return self.policy.delay(retry, self._rand)
        if result.retry_after_s > self.policy.max_retry_after_s:
            return None
        return max(result.retry_after_s, 0.0)


def _receipt(result: Attempt, attempts: int) -> Receipt:
    return Receipt(
        accepted=result.accepted,
        provider_id=result.provider_id,
        error=result.error,
        detail=result.detail,
        attempts=attempts,
    )
