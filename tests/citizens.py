"""A citizen put on the platform as a hospital would (a visit at a known facility, in a known
ward), for suites that need a real record to act on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from hssk_contracts import topics
from tests.conftest import BOOTSTRAP, TopicTail
from tests.e2e.test_visit_flow import example_visit, send

FACILITY, OTHER_FACILITY = "79001", "79002"
WARD, OTHER_WARD = "26734", "26737"


@dataclass(frozen=True)
class Citizen:
    person_id: str
    visit: dict


async def make_citizen() -> Citizen:
    """A citizen of WARD with a visit at FACILITY today, as the platform recorded it."""
    doc = example_visit(uuid.uuid4().hex[:10].upper())
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
