"""The channel adapters: e-mail over SMTP and SMS, Zalo ZNS and app push over HTTP, each wrapped
in retries and a circuit breaker. `build_senders` is what the composition root calls."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

import httpx

from hssk_notify.adapters.channels.providers import HttpProvider
from hssk_notify.adapters.channels.resilience import (
    Attempt,
    CircuitBreaker,
    Clock,
    Provider,
    Resilient,
    RetryPolicy,
    Sleep,
)
from hssk_notify.adapters.channels.smtp import SmtpProvider, message_id
from hssk_notify.domain.messages import Channel
from hssk_notify.ports import Sender

__all__ = [
    "Attempt",
    "Channels",
    "CircuitBreaker",
    "HttpProvider",
    "Provider",
    "Resilient",
    "RetryPolicy",
    "SmtpProvider",
    "build_senders",
    "message_id",
]


@dataclass
class Channels:
    """The senders by channel, and the HTTP client they share: `await channels.close()` (or
    `async with build_senders(...) as channels:`) when the service stops."""

    senders: dict[Channel, Sender] = field(default_factory=dict)
    client: httpx.AsyncClient | None = None

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def __aenter__(self) -> Channels:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def build_senders(
    *,
    smtp_host: str,
    smtp_port: int,
    smtp_sender: str,
    sms_url: str,
    zns_url: str,
    push_url: str,
    provider_token: str = "",
    timeout_s: float = 5.0,
    retries: int = 2,
    smtp_username: str = "",
    smtp_password: str = "",
    smtp_start_tls: bool = False,
    failure_threshold: int = 5,
    cool_down_s: float = 30.0,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    rand: Callable[[], float] = random.random,
) -> Channels:
    """A sender for each configured channel; one whose URL or host is empty is left out."""
    policy = RetryPolicy(retries=retries)

    def resilient(provider: Provider) -> Sender:
        breaker = CircuitBreaker(
            provider.channel, threshold=failure_threshold, cool_down_s=cool_down_s, clock=clock
        )
        return Resilient(provider, policy=policy, breaker=breaker, sleep=sleep, rand=rand)

    channels = Channels()
    if smtp_host:
        if not smtp_sender:
            raise ValueError("an SMTP host needs a sender address")
        email = SmtpProvider(
            host=smtp_host,
            port=smtp_port,
            sender=smtp_sender,
            username=smtp_username,
            password=smtp_password,
            start_tls=smtp_start_tls,
            timeout_s=timeout_s,
        )
        channels.senders["email"] = resilient(email)
    urls: dict[Channel, str] = {"sms": sms_url, "zalo": zns_url, "app": push_url}
    if any(urls.values()):
        channels.client = httpx.AsyncClient(timeout=timeout_s)
    for channel, url in urls.items():
        if url and channels.client is not None:
            provider = HttpProvider(
                channel, url=url, client=channels.client, token=provider_token, timeout_s=timeout_s
            )
            channels.senders[channel] = resilient(provider)
    return channels
