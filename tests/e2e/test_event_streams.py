"""The topics read without us, as another team's consumer would: one visit sent as a hospital
sends it, then each event it causes (ingest-emr's acceptance, identity's resolution, records'
change) read from Kafka with the CloudEvents SDK; each names its schema by a URL the running
platform serves, and the event validates against what is served there."""

from __future__ import annotations

import json

import jsonschema
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from hssk_cli import stack
from hssk_contracts import asyncapi, topics
from tests.e2e.test_visit_flow import example_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
PUBLIC = {"ingest-emr": "http://127.0.0.1:8003", "identity": "http://127.0.0.1:8003",
          "records": stack.BY_NAME["records"].url}  # fmt: skip


async def test_each_event_carries_cloudevents_headers_and_a_served_schema(
    producer, tail, http, uid
):
    flows = {
        topics.EMR_VISIT_ACCEPTED: ("ingest-emr", lambda e, key: e.key == key),
        topics.RECORDS_VISIT: ("identity", lambda e, key: e.data.visit.key == key),
        topics.RECORDS_CHANGE: ("records", lambda e, key: e.data.visit_key == key),
    }
    tails = {topic: await tail(topic) for topic in flows}
    doc = example_visit(uid)
    await send(producer, doc)
    schemas_served: dict[str, dict] = {}
    for topic, (service, ours) in flows.items():
        (event,) = await tails[topic].wait_for(lambda e, ours=ours: ours(e, doc["key"]), 30)
        (record,) = [r for r, e in zip(tails[topic].records, tails[topic].events, strict=True)
                     if e is event]  # fmt: skip
        read = from_binary(
            KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value),
            JSONFormat(),
        )
        assert read.get_id() == event.event_id
        assert read.get_type() == f"vn.hssk.{event.type}"
        assert read.get_source() == f"/hssk/{service}"
        assert read.get_time() == event.occurred_at
        assert read.get_data() == json.loads(record.value)  # the v1 envelope, whole
        url = read.get_dataschema()  # under the publisher's public URL (records: its own)
        assert url == f"{PUBLIC[service]}/schemas/{topic.name}.json"
        served = (await http.get(url)).json()
        assert served["$id"] == url
        jsonschema.Draft202012Validator(served).validate(json.loads(record.value))
        schemas_served[topic.name] = served
    assert len(schemas_served) == 3


async def test_every_service_serves_the_asyncapi_document(http):
    committed = json.loads(asyncapi.PATH.read_text(encoding="utf-8"))
    for svc in stack.SERVICES:
        answer = await http.get(f"{svc.url}/asyncapi.json")
        assert answer.status_code == 200, svc.name
        assert answer.json() == committed, svc.name
