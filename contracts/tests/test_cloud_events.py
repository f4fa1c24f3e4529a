"""Every event's CloudEvents attributes as Kafka headers (binary mode), read back by the
CloudEvents SDK exactly as a city system's consumer would: the attributes from the headers, the
data the v1 envelope, unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from hssk_contracts import cloud_events, codec, topics
from hssk_contracts.events import PersonCreated, PersonSnapshot

WHEN = datetime(2026, 12, 8, 2, 30, tzinfo=UTC)


def person_created() -> PersonCreated:
    return PersonCreated.new(
        event_id="6c1f0b5e-8a53-5a3c-9a55-0f4e4f0c2b11",
        producer="identity",
        key="p-1",
        occurred_at=WHEN,
        data=PersonSnapshot(person_id="p-1", version=1, name="Nguyễn Thị Lan",
                            birth_date="1958-03-02", sex="female", commune_code="26734",
                            identifiers=[]),
    )  # fmt: skip


def test_the_sdk_reads_the_attributes_and_the_envelope_as_data() -> None:
    event = person_created()
    value = codec.encode(event)
    headers = dict(cloud_events.headers(event, topics.IDENTITY_PERSON, "https://hssk.example.vn"))
    read = from_binary(KafkaMessage(headers=headers, key=b"p-1", value=value), JSONFormat())
    assert read.get_specversion() == "1.0"
    assert read.get_id() == event.event_id
    assert read.get_type() == "vn.hssk.PersonCreated"
    assert read.get_source() == "/hssk/identity"
    assert read.get_time() == WHEN
    assert read.get_dataschema() == "https://hssk.example.vn/schemas/identity.person.v1.json"
    assert read.get_datacontenttype() == "application/json"
    assert read.get_data() == json.loads(value)  # the whole v1 envelope, as before


def test_every_header_is_a_ce_attribute_or_the_content_type() -> None:
    names = [name for name, _ in cloud_events.headers(person_created(), topics.IDENTITY_PERSON)]
    assert names == ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time",
                     "ce_dataschema", "content-type"]  # fmt: skip
    assert dict(cloud_events.headers(person_created(), topics.IDENTITY_PERSON))[
        "ce_dataschema"
    ] == (b"http://127.0.0.1:8003/schemas/identity.person.v1.json")
