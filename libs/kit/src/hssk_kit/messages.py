"""What flows through the consumer loop: an inbound message, the ports it is handled and
dead-lettered through, what a handler may raise, and which failures are transient."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError

from hssk_contracts.codec import Problem
from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic

TRANSIENT = (
    KafkaConnectionError,
    KafkaTimeoutError,
    ConnectionFailure,
    AutoReconnect,
    ServerSelectionTimeoutError,
    ConnectionError,
    TimeoutError,
)


def transient(exc: BaseException) -> bool:
    """Whether waiting and trying again can succeed: a database or broker unreachable, or a
    Kafka error the client itself calls retriable (a leader moving, a request timing out)."""
    return isinstance(exc, TRANSIENT) or (isinstance(exc, KafkaError) and exc.retriable)


@dataclass(frozen=True)
class Inbound:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int


class Publish(Protocol):
    async def __call__(self, topic: Topic, event: Envelope) -> None: ...


class Rejected(Exception):
    """Raised by a handler for input it will never accept; the message goes to the DLQ."""

    def __init__(self, problems: list[Problem], facility_code: str | None = None):
        self.problems = problems
        self.facility_code = facility_code  # who sent it, when known: operators filter by it
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


Handle = Callable[[Inbound, Publish], Awaitable[None]]
# A whole batch of one partition at once, in offset order (for folds that must write a batch
# atomically, e.g. statistics): it may be called again with any tail of what it was given.
Fold = Callable[[list[Inbound], Publish], Awaitable[None]]


class DeadLetter(Protocol):
    """Where the loop sends what it will not handle (hssk_kit.deadletter.dead_letter_to)."""

    async def __call__(
        self,
        msg: Inbound,
        problems: list[Problem],
        attempt: int,
        publish: Publish,
        facility_code: str | None = None,
        part: int | None = None,
    ) -> None:
        """The full dead letter: the reasons, the original bytes and where they came from
        (`part`: `msg` holds one visit of a file of several, its value that visit alone)."""
        ...

    async def poison(self, msg: Inbound, error: str, attempt: int, publish: Publish) -> None:
        """The minimal dead letter, for when handling or the full one failed with `error` (a
        class name): only the bytes, where they came from and the key, so it always encodes."""
        ...
