"""The one envelope every event travels in: event_id, type, schema_version, occurred_at,
producer, key, data. Each event type is a subclass that fixes `type` and `data`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# Namespace for deterministic event ids: the same cause always derives the same id.
EVENT_NAMESPACE = uuid.UUID("6f1d4c1e-5a0b-4c51-9a53-2f8e0c6a7b10")


def derive_event_id(*parts: str) -> str:
    """A stable id for an event derived from its cause, so replays re-emit identical events."""
    return str(uuid.uuid5(EVENT_NAMESPACE, "|".join(parts)))


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    # Tolerant readers: a field added in v1 by a newer producer must not break older consumers.
    model_config = ConfigDict(extra="ignore", frozen=True)

    SCHEMA_VERSION: ClassVar[int] = 1

    event_id: Annotated[str, Field(min_length=8, max_length=64)]
    type: str
    schema_version: Annotated[int, Field(ge=1)] = 1
    occurred_at: AwareDatetime
    producer: Annotated[str, Field(min_length=1, max_length=100)]
    key: Annotated[str, Field(min_length=1, max_length=200)]
    data: BaseModel  # each event type narrows it

    @classmethod
    def new(
        cls,
        *,
        event_id: str,
        producer: str,
        key: str,
        data: BaseModel,
        occurred_at: datetime | None = None,
    ) -> Self:
        return cls(  # type: ignore[call-arg]  # each event type defaults `type`
            event_id=event_id,
            producer=producer,
            key=key,
            data=data,
            occurred_at=occurred_at or utcnow(),
            schema_version=cls.SCHEMA_VERSION,
        )
