"""Dead letters: what was rejected, why, the original bytes and where it came from."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

from hssk_contracts import topics
from hssk_contracts.codec import Problem
from hssk_contracts.envelope import Envelope, derive_event_id
from hssk_contracts.events import EventRejected, Reason, RejectedData, VisitRejected
from hssk_contracts.topics import Topic
from hssk_kit.bus import DeadLetter, Inbound, Publish


def rejected_data(
    msg: Inbound,
    problems: list[Problem],
    attempt: int,
    service: str,
    facility_code: str | None = None,
) -> RejectedData:
    return RejectedData(
        reasons=[
            Reason(field=p.field, rule=p.rule, message=p.message, value=p.value) for p in problems
        ],
        original_b64=base64.b64encode(msg.value).decode(),
        source_topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
        source_key=msg.key.decode(errors="replace") if msg.key else None,
        facility_code=facility_code,
        attempt=attempt,
        rejected_by=service,
    )


def dead_letter_to(
    dlq: Topic, service: str, keep: Callable[[Envelope], Awaitable[None]] | None = None
) -> DeadLetter:
    """A DeadLetter callback for the consumer loop: one event per rejected message, with an id
    derived from where the message was, so a replay of the same offsets re-emits the same id."""
    event_type = VisitRejected if dlq is topics.EMR_VISIT_DLQ else EventRejected

    async def dead_letter(
        msg: Inbound,
        problems: list[Problem],
        attempt: int,
        publish: Publish,
        facility_code: str | None = None,
    ) -> None:
        data = rejected_data(msg, problems, attempt, service, facility_code)
        event = event_type.new(
            event_id=derive_event_id("dlq", msg.topic, str(msg.partition), str(msg.offset)),
            producer=service,
            key=data.source_key or "unknown",
            data=data,
        )
        await publish(dlq, event)
        if keep is not None:  # after the broker has it; keeping must be idempotent by event id
            await keep(event)

    return dead_letter
