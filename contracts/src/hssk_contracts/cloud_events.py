"""CloudEvents 1.0 attributes of every enveloped event, as Kafka headers (the Kafka protocol
binding's binary mode: `ce_<attribute>` headers, the message value the event's data). The
value stays the v1 envelope, whole: a consumer that knows nothing of CloudEvents reads it as
before, and one that does (a CloudEvents SDK, Knative, an event gateway) reads the attributes
without parsing the value. contracts/README.md says what each attribute holds."""

from __future__ import annotations

from hssk_contracts.envelope import Envelope
from hssk_contracts.schemas import DEFAULT_PUBLIC_URL, schema_url
from hssk_contracts.topics import Topic

SPEC_VERSION = "1.0"
TYPE_PREFIX = "vn.hssk."  # reverse-DNS, as the specification asks of `type`
SOURCE_PREFIX = "/hssk/"  # a URI reference naming the producing service
CONTENT_TYPE = "application/json"


def event_type(event: Envelope) -> str:
    """`vn.hssk.RecordChanged`: the envelope's type, prefixed; its version is in the schema."""
    return f"{TYPE_PREFIX}{event.type}"


def attributes(
    event: Envelope, topic: Topic, public_url: str = DEFAULT_PUBLIC_URL
) -> dict[str, str]:
    """The event's CloudEvents context attributes (the `datacontenttype` included)."""
    return {
        "specversion": SPEC_VERSION,
        "id": event.event_id,
        "source": f"{SOURCE_PREFIX}{event.producer}",
        "type": event_type(event),
        "time": event.occurred_at.isoformat(),
        "dataschema": schema_url(topic.name, public_url),
        "datacontenttype": CONTENT_TYPE,
    }


def headers(
    event: Envelope, topic: Topic, public_url: str = DEFAULT_PUBLIC_URL
) -> list[tuple[str, bytes]]:
    """The attributes as Kafka headers: `ce_<name>`, and `content-type` for the data's."""
    out = []
    for name, value in attributes(event, topic, public_url).items():
        header = "content-type" if name == "datacontenttype" else f"ce_{name}"
        out.append((header, value.encode()))
    return out
