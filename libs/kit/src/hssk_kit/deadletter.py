"""Dead letters: what was rejected, why, the original bytes and where it came from; and the
minimal poison record sent instead when handling or dead-lettering a message failed for good.

Every string taken from the input or an error passes through `text.shown`, so a dead letter
always encodes (no lone surrogates) and stays within the envelope's limits (a key of 200).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

from hssk_contracts import text, topics
from hssk_contracts.codec import Problem
from hssk_contracts.envelope import Envelope, derive_event_id
from hssk_contracts.events import EventRejected, Reason, RejectedData, VisitRejected
from hssk_contracts.topics import Topic
from hssk_kit.messages import Inbound, Publish

POISON_RULE = "poison_message"


def reasons_of(problems: list[Problem]) -> list[Reason]:
    return [
        Reason(
            field=text.shown(p.field) or "$",
            rule=text.shown(p.rule) or "unknown",
            message=text.shown(p.message) or "",
            value=text.shown(p.value),
        )
        for p in problems
    ]


def rejected_data(
    msg: Inbound,
    problems: list[Problem],
    attempt: int,
    service: str,
    facility_code: str | None = None,
    part: int | None = None,
) -> RejectedData:
    return RejectedData(
        part=part,
        reasons=reasons_of(problems),
        original_b64=base64.b64encode(msg.value).decode(),
        source_topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
        source_key=text.shown(msg.key) if msg.key else None,
        facility_code=text.shown(facility_code),
        attempt=attempt,
        rejected_by=service,
    )


def poison_data(msg: Inbound, error: str, attempt: int, service: str) -> RejectedData:
    """Only what cannot fail to encode: the bytes, where they were, the key and the error's
    class name (no reasons, values or messages from the input)."""
    name = text.shown(error) or "Exception"
    reason = Reason(
        field="$",
        rule=POISON_RULE,
        message=f"handling or dead-lettering this message failed: {name}",
        value=name,
    )
    return RejectedData(
        reasons=[reason],
        original_b64=base64.b64encode(msg.value).decode(),
        source_topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
        source_key=text.shown(msg.key) if msg.key else None,
        attempt=attempt,
        rejected_by=service,
    )


def dead_letter_id(kind: str, msg: Inbound, part: int | None = None) -> str:
    """Derived from where the message was, so a replay of the same offsets re-emits the same
    id; `kind` ("dlq" or "poison") keeps a poison record from taking a full letter's id, and
    `part` each visit of a file of several from another's."""
    where = (msg.topic, str(msg.partition), str(msg.offset))
    return derive_event_id(kind, *where, *(() if part is None else (f"part-{part}",)))


class DeadLetterTo:
    """The loop's DeadLetter (hssk_kit.messages) for one dead-letter topic. `keep`, if given,
    also stores each full dead letter after the broker has it, idempotently by event id; a
    poison record is only published, since `keep` may be what failed."""

    def __init__(
        self, dlq: Topic, service: str, keep: Callable[[Envelope], Awaitable[None]] | None = None
    ):
        self.topic = dlq
        self.service = service
        self._keep = keep
        self._event_type = VisitRejected if dlq is topics.EMR_VISIT_DLQ else EventRejected

    async def __call__(
        self,
        msg: Inbound,
        problems: list[Problem],
        attempt: int,
        publish: Publish,
        facility_code: str | None = None,
        part: int | None = None,
    ) -> None:
        """`part`: `msg` holds one visit of the file at its offset (its value that visit)."""
        data = rejected_data(msg, problems, attempt, self.service, facility_code, part)
        event = self._event(dead_letter_id("dlq", msg, part), data)
        await publish(self.topic, event)
        if self._keep is not None:
            await self._keep(event)

    async def poison(self, msg: Inbound, error: str, attempt: int, publish: Publish) -> None:
        data = poison_data(msg, error, attempt, self.service)
        await publish(self.topic, self._event(dead_letter_id("poison", msg), data))

    def _event(self, event_id: str, data: RejectedData) -> Envelope:
        return self._event_type.new(
            event_id=event_id, producer=self.service, key=data.source_key or "unknown", data=data
        )


def dead_letter_to(
    dlq: Topic, service: str, keep: Callable[[Envelope], Awaitable[None]] | None = None
) -> DeadLetterTo:
    """A DeadLetter for the consumer loop: one event per rejected message on `dlq`."""
    return DeadLetterTo(dlq, service, keep)
