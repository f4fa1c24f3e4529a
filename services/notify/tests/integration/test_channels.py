"""The channel adapters against real servers: the dev sandbox's SMTP server and fake providers,
started in-process on free ports, with faults injected through its HTTP API; and the sandbox
itself run as a process. Sleep and clock are injected, so backoff and cool-downs never wait."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from hssk_cli.sandbox import Running, start
from hssk_notify.adapters.channels import Channels, CircuitBreaker, build_senders
from hssk_notify.domain.messages import Channel, Message

pytestmark = pytest.mark.integration

SUBJECT = "Nhắc lịch tiêm chủng cho bé Nguyễn Thị Ánh"
TEXT = "Chào chị Hương, bé Ánh đã đến lịch tiêm nhắc lại vắc-xin sởi – quai bị – rubella.\nCảm ơn!"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """The injected sleep: remembers what it was asked to wait, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def message(channel: Channel, to: str, **kw: Any) -> Message:
    key = kw.pop("key", f"test-{uuid.uuid4().hex}:{channel}")
    return Message(key=key, person_id="P-TEST", channel=channel, to=to, text=TEXT, **kw)


def phone() -> str:
    return f"849{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Running]:
    running = await start(tmp_path / "outbox.jsonl")
    yield running
    await running.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def channels(
    sandbox: Running, clock: Clock, sleeps: Sleeps
) -> AsyncIterator[Callable[..., Channels]]:
    built: list[Channels] = []

    def make(**overrides: Any) -> Channels:
        args: dict[str, Any] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": sandbox.smtp_port,
            "smtp_sender": "nhac-nho@hssk.local",
            "sms_url": f"{sandbox.url}/sms",
            "zns_url": f"{sandbox.url}/zns",
            "push_url": f"{sandbox.url}/push",
            "timeout_s": 2.0,
            "retries": 2,
            "sleep": sleeps,
            "clock": clock,
            "rand": lambda: 0.5,
        }
        built.append(build_senders(**(args | overrides)))
        return built[-1]

    yield make
    for c in built:
        await c.close()


async def fault(sandbox: Running, **rule: Any) -> None:
    async with httpx.AsyncClient() as http:
        (await http.post(f"{sandbox.url}/faults", json=rule)).raise_for_status()


async def outbox(sandbox: Running, to: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{sandbox.url}/outbox", params={"to": to})
        return list(answer.raise_for_status().json())


async def test_email_arrives_over_smtp_with_its_message_id_and_vietnamese_text(sandbox, channels):
    to = f"huong.{uuid.uuid4().hex[:8]}@example.vn"
    mail = message("email", to, subject=SUBJECT)
    receipt = await channels().senders["email"].send(mail)

    expected_id = f"<{hashlib.sha256(mail.key.encode()).hexdigest()[:32]}@hssk.notify>"
    assert receipt.accepted and receipt.provider_id == expected_id and receipt.attempts == 1
    [got] = await outbox(sandbox, to)
    assert (got["subject"], got["text"], got["key"]) == (SUBJECT, TEXT, expected_id)
    assert got["from"] == "nhac-nho@hssk.local" and got["duplicate"] is False

    again = await channels().senders["email"].send(mail)  # a resend is recognisably the same
    assert again.provider_id == expected_id
    assert [r["duplicate"] for r in await outbox(sandbox, to)] == [False, True]


async def test_email_recipient_refused_with_5xx_is_invalid_recipient(sandbox, channels):
    to = f"nobody.{uuid.uuid4().hex[:8]}@example.vn"
    await fault(sandbox, channel="email", to=to, error="invalid_recipient", times=-1)
    receipt = await channels().senders["email"].send(message("email", to, subject=SUBJECT))
    assert (receipt.accepted, receipt.error, receipt.attempts) == (False, "invalid_recipient", 1)
    assert await outbox(sandbox, to) == []


async def test_email_4xx_is_retried_then_delivered(sandbox, channels, sleeps):
    to = f"busy.{uuid.uuid4().hex[:8]}@example.vn"
    await fault(sandbox, channel="email", to=to, error="unavailable", times=1)
    receipt = await channels().senders["email"].send(message("email", to, subject=SUBJECT))
    assert receipt.accepted and receipt.attempts == 2 and len(sleeps.delays) == 1
    assert len(await outbox(sandbox, to)) == 1


async def test_smtp_server_unreachable_is_transient_and_retried(channels, sleeps):
    sender = channels(smtp_port=free_port(), retries=1).senders["email"]
    receipt = await sender.send(message("email", "an@example.vn", subject=SUBJECT))
    assert (receipt.accepted, receipt.error, receipt.attempts) == (False, "unavailable", 2)


async def test_the_same_key_twice_is_delivered_once(sandbox, channels):
    senders = channels().senders
    for channel, to in (("sms", phone()), ("app", f"token-{uuid.uuid4().hex}")):
        m = message(channel, to, subject="Nhắc lịch")
        first, second = await senders[channel].send(m), await senders[channel].send(m)
        assert first.accepted and second.accepted and first.provider_id == second.provider_id
        assert [r["key"] for r in await outbox(sandbox, to)] == [m.key]
    assert sandbox.sandbox.requests["app"] == 2  # both reached the provider: it deduplicated


async def test_zns_user_inactive_for_a_phone_ending_0000(sandbox, channels):
    senders = channels().senders
    inactive = f"8490{uuid.uuid4().int % 10**3:03d}0000"
    m = message("zalo", inactive, template_id="248913", params={"ten": "Ánh", "ngay": "20/11"})
    receipt = await senders["zalo"].send(m)
    assert (receipt.accepted, receipt.error, receipt.attempts) == (False, "user_inactive", 1)
    assert "-118" in receipt.detail

    active = phone()
    ok = message("zalo", active, template_id="248913", params={"a": "b"})
    assert (await senders["zalo"].send(ok)).accepted
    [got] = await outbox(sandbox, active)
    assert (got["template_id"], got["params"]) == ("248913", {"a": "b"})


async def test_transient_503_twice_then_success(sandbox, channels, sleeps):
    to = phone()
    await fault(sandbox, channel="sms", to=to, error="unavailable", times=2)
    receipt = await channels().senders["sms"].send(message("sms", to))
    assert receipt.accepted and receipt.attempts == 3
    assert sleeps.delays == [0.1, 0.2]  # full jitter at 0.5: half of 0.2 s, then of 0.4 s
    assert sandbox.sandbox.requests["sms"] == 3
    assert len(await outbox(sandbox, to)) == 1


async def test_timeouts_exhausted_answer_timeout(sandbox, channels):
    to = phone()
    await fault(sandbox, channel="zalo", to=to, error="timeout", times=-1, delay_s=0.6)
    sender = channels(timeout_s=0.1, retries=1).senders["zalo"]
    receipt = await sender.send(message("zalo", to, template_id="1", params={"a": "b"}))
    assert (receipt.accepted, receipt.error, receipt.attempts) == (False, "timeout", 2)


async def test_circuit_opens_answers_without_calling_then_half_opens(sandbox, channels, clock):
    sender = channels(retries=0, failure_threshold=3, cool_down_s=30).senders["app"]
    await fault(sandbox, channel="app", error="unavailable", times=-1)
    for _ in range(3):
        assert (await sender.send(message("app", "tok"))).error == "unavailable"
    calls = sandbox.sandbox.requests["app"]

    refused = await sender.send(message("app", "tok"))
    assert (refused.accepted, refused.error, refused.attempts) == (False, "circuit_open", 0)
    assert sandbox.sandbox.requests["app"] == calls  # the provider was not called

    clock.now += 30  # half-open: one trial, which fails and reopens the circuit
    assert (await sender.send(message("app", "tok"))).error == "unavailable"
    assert (await sender.send(message("app", "tok"))).error == "circuit_open"
    assert sandbox.sandbox.requests["app"] == calls + 1

    clock.now += 30  # the provider is back: the trial succeeds and closes the circuit
    async with httpx.AsyncClient() as http:
        await http.delete(f"{sandbox.url}/faults")
    assert (await sender.send(message("app", "tok"))).accepted
    assert (await sender.send(message("app", "tok"))).accepted


def test_a_half_open_circuit_lets_one_trial_through(clock):
    breaker = CircuitBreaker("sms", threshold=2, cool_down_s=10, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record(failed=True)
    assert (breaker.state, breaker.allow()) == ("open", False)
    clock.now += 10
    assert breaker.allow() and not breaker.allow()  # the second caller waits for the trial
    breaker.record(failed=False)
    assert (breaker.state, breaker.allow()) == ("closed", True)


async def test_sms_refused_for_unicode_is_rejected_content_and_unaccented_goes(sandbox, channels):
    to = phone()
    await fault(sandbox, channel="sms", to=to, error="rejected_unicode", times=-1)
    sender = channels().senders["sms"]
    refused = await sender.send(message("sms", to))
    assert (refused.accepted, refused.error, refused.attempts) == (False, "rejected_content", 1)
    plain = Message(
        key=f"k-{uuid.uuid4().hex}",
        person_id="P",
        channel="sms",
        to=to,
        text="Chao chi Huong, be Anh da den lich tiem.",
        unicode=False,
    )
    assert (await sender.send(plain)).accepted
    [got] = await outbox(sandbox, to)
    assert got["unicode"] is False


async def test_retry_after_is_honoured(sandbox, channels, sleeps):
    to = phone()
    await fault(sandbox, channel="sms", to=to, error="rate_limited", times=1, retry_after_s=7)
    receipt = await channels().senders["sms"].send(message("sms", to))
    assert receipt.accepted and receipt.attempts == 2 and sleeps.delays == [7.0]


async def test_a_retry_after_too_long_is_not_waited_for(sandbox, channels, sleeps):
    to = phone()
    await fault(sandbox, channel="sms", to=to, error="rate_limited", times=1, retry_after_s=600)
    receipt = await channels().senders["sms"].send(message("sms", to))
    assert (receipt.error, receipt.attempts, sleeps.delays) == ("rate_limited", 1, [])


async def test_a_channel_without_an_address_is_absent():
    built = build_senders(
        smtp_host="",
        smtp_port=25,
        smtp_sender="",
        sms_url="http://x/sms",
        zns_url="",
        push_url="",
    )
    assert set(built.senders) == {"sms"}
    await built.close()


def test_the_sandbox_runs_as_a_process(tmp_path: Path):
    smtp_port, http_port, out = free_port(), free_port(), tmp_path / "outbox.jsonl"
    argv = [sys.executable, "-m", "hssk_cli.sandbox", "--smtp-port", str(smtp_port)]
    argv += ["--http-port", str(http_port), "--outbox", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 20
        while not _healthy(url):
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "the sandbox did not answer /healthz"
            time.sleep(0.1)
        body = {"request_id": "r-1", "phone": "84901234567", "content": "Nhắc lịch khám"}
        answer = httpx.post(f"{url}/sms", json=body, headers={"Idempotency-Key": "r-1"})
        assert answer.json()["code"] == "OK"
        [got] = httpx.get(f"{url}/outbox").json()
        assert (got["channel"], got["to"], got["text"]) == ("sms", "84901234567", "Nhắc lịch khám")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert "Nhắc lịch khám" in out.read_text(encoding="utf-8")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
