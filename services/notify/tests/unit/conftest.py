"""Unit-test fixtures: a recording `publish` fake (no Kafka) and a notify world over it."""

from __future__ import annotations

import pytest
from notify_world import World

from hssk_kit.fakes import RecordingPublish


@pytest.fixture
def publish() -> RecordingPublish:
    return RecordingPublish()


@pytest.fixture
def world(publish) -> World:
    return World(publish)
