"""In-memory fakes of the kit's ports, for fast unit tests (the audit log's is in audit.py)."""

from __future__ import annotations

from hssk_contracts.envelope import Envelope
from hssk_contracts.topics import Topic


class RecordingPublish:
    """Satisfies hssk_kit.bus.Publish; remembers every (topic, event) in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[Topic, Envelope]] = []

    async def __call__(self, topic: Topic, event: Envelope) -> None:
        self.sent.append((topic, event))

    def clear(self) -> None:
        self.sent.clear()
