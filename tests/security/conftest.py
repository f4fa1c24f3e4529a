"""Fixtures of the security suites: one citizen with a visit at a known facility and ward, put
there through the platform as a hospital would, and principals of every role around them."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

import pytest

from hssk_contracts import topics
from tests.conftest import TopicTail
from tests.e2e.test_visit_flow import example_visit, send

FACILITY, OTHER_FACILITY = "79001", "79002"
WARD, OTHER_WARD = "26734", "26737"


@dataclass(frozen=True)
class Citizen:
    person_id: str
    visit: dict


@pytest.fixture(scope="session")
async def citizen(platform_up, engines_up) -> Citizen:
    """A citizen of WARD with a visit at FACILITY today, as the platform recorded it."""
    from aiokafka import AIOKafkaProducer

    from tests.conftest import BOOTSTRAP

    uid = uuid.uuid4().hex[:10].upper()
    doc = example_visit(uid)
    doc["data"]["patient"]["commune_code"] = WARD
    changes = await TopicTail(topics.RECORDS_CHANGE).start()
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
    await producer.start()
    try:
        await send(producer, doc)
        [change] = await changes.wait_for(lambda e: e.data.visit_key == doc["key"], seconds=30)
    finally:
        await producer.stop()
        await changes.stop()
    return Citizen(change.data.person_id, doc)


def other_person_id() -> str:
    return str(uuid.UUID(int=random.getrandbits(128), version=4))
