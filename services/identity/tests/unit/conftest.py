"""Unit-test fixtures: a recording `publish` fake (no Kafka)."""

from __future__ import annotations

import pytest

from hssk_kit.fakes import RecordingPublish


@pytest.fixture
def publish() -> RecordingPublish:
    return RecordingPublish()
