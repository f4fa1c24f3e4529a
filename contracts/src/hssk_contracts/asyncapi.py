"""The AsyncAPI 3.0 description of every topic, generated from the topic registry (channels with
their keys, partitions and retention; one message per topic whose payload is the committed JSON
Schema; who sends and who receives), committed as contracts/asyncapi.json and checked in CI
like the schemas (`python -m hssk_contracts.asyncapi write|check`). Every service serves it at
/asyncapi.json, beside the schemas its `$ref`s name (/schemas/<topic>.json)."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from hssk_contracts import cloud_events
from hssk_contracts.registry import EVENTS_BY_TOPIC
from hssk_contracts.schemas import CONTRACTS_DIR
from hssk_contracts.topics import ALL, Topic

PATH = CONTRACTS_DIR / "asyncapi.json"
KAFKA_BINDING = "0.5.0"
# Who publishes through the platform's own publisher, which always adds the CloudEvents headers
# (hssk_kit.bus): a hospital writing straight to its input topic may or may not send them.
PLATFORM = {"identity", "records", "ingest-emr", "ingest-emr HTTP", "notify"}
CONTENT = {
    "envelope-json": "application/json",
    "qd130-xml": "application/xml",
    "fhir-r4-json": "application/fhir+json",
}
RAW_PAYLOAD = {
    "qd130-xml": "A QĐ 130 GIAMDINHHS file, the bytes a hospital sends the insurance gateway "
    "(the README's Ingest section): one HOSO, or a day's file of several, each visit "
    "then accepted or dead-lettered on its own.",
    "fhir-r4-json": "A FHIR R4 Bundle (type collection or transaction) holding one Encounter "
    "with its Patient, Conditions, Observations and MedicationRequests.",
}
ATTRIBUTE_TEXT = {
    "ce_specversion": "CloudEvents version: 1.0",
    "ce_id": "the envelope's event_id: the same cause always gives the same id",
    "ce_source": "/hssk/<producer>, the service that published it",
    "ce_type": "vn.hssk.<the envelope's type>, e.g. vn.hssk.RecordChanged",
    "ce_time": "the envelope's occurred_at (RFC 3339)",
    "ce_dataschema": "the URL of the topic's JSON Schema, served by the platform",
    "content-type": "application/json",
}


def slug(text: str) -> str:
    """An AsyncAPI object key (letters, digits, - and _ only) for a topic or party name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def document() -> dict[str, Any]:
    channels, operations, messages = {}, {}, {}
    for topic in ALL:
        channel, message = slug(topic.name), topic.name
        messages[message] = _message(topic)
        channels[channel] = {
            "address": topic.name,
            "title": topic.name,
            "description": topic.description,
            "messages": {message: {"$ref": f"#/components/messages/{message}"}},
            "bindings": {"kafka": _topic_binding(topic)},
        }
        for action, parties in (("send", topic.producers), ("receive", topic.consumers)):
            for party in parties:
                operations[f"{slug(party)}-{action}s-{channel}"] = {
                    "action": action,
                    "title": f"{party} {action}s {topic.name}",
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "messages": [{"$ref": f"#/channels/{channel}/messages/{message}"}],
                }
    return {
        "asyncapi": "3.0.0",
        "id": "urn:hssk:event-streams",
        "info": {
            "title": "HSSK event streams",
            "version": "1.0.0",
            "description": (
                "Every Kafka topic of the HSSK platform. Events travel in the v1 envelope "
                "(event_id, type, schema_version, occurred_at, producer, key, data) and carry "
                "the CloudEvents 1.0 attributes as Kafka headers (binary mode). Generated "
                "from the topic registry (hssk_contracts.topics). Delivery is at least once: "
                "a duplicate keeps its event id, and one key's events come in order."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The local stack (`make up`), plaintext.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _message(topic: Topic) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": topic.name,
        "title": ", ".join(topic.event_types) or topic.name,
        "contentType": CONTENT[topic.format],
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"the message key: {topic.key}"},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
    if topic.name in EVENTS_BY_TOPIC:
        message["payload"] = {
            "schemaFormat": "application/schema+json;version=draft-2020-12",
            "schema": {"$ref": f"schemas/{topic.name}.json"},
        }
        message["headers"] = _headers(required=set(topic.producers) <= PLATFORM)
    else:
        message["payload"] = {"type": "string", "description": RAW_PAYLOAD[topic.format]}
    return message


def _headers(*, required: bool) -> dict[str, Any]:
    """The CloudEvents headers, as the AsyncAPI's (draft 7) schema of the message headers."""
    properties = {name: {"type": "string", "description": text}
                  for name, text in ATTRIBUTE_TEXT.items()}  # fmt: skip
    properties["ce_specversion"]["const"] = cloud_events.SPEC_VERSION
    properties["content-type"]["const"] = cloud_events.CONTENT_TYPE
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = sorted(properties)
    else:
        schema["description"] = "Sent by the platform's services; a hospital may omit them."
    return schema


def _topic_binding(topic: Topic) -> dict[str, Any]:
    config: dict[str, Any] = {"cleanup.policy": [topic.cleanup]}
    if topic.cleanup == "delete":
        config["retention.ms"] = topic.retention_ms
    return {
        "topic": topic.name,
        "partitions": topic.partitions,
        "topicConfiguration": config,
        "bindingVersion": KAFKA_BINDING,
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render(document())
    if argv == ["write"]:
        if not PATH.exists() or PATH.read_text(encoding="utf-8") != text:
            PATH.write_text(text, encoding="utf-8")
            print(f"updated {PATH.relative_to(CONTRACTS_DIR.parent)}")
        return 0
    if argv == ["check"]:
        if not PATH.exists() or PATH.read_text(encoding="utf-8") != text:
            print("contracts/asyncapi.json differs from the topic registry: run "
                  "`python -m hssk_contracts.asyncapi write` and commit the result")  # fmt: skip
            return 1
        print(f"contracts/asyncapi.json matches the registry ({len(ALL)} channels)")
        return 0
    print("usage: python -m hssk_contracts.asyncapi write|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
