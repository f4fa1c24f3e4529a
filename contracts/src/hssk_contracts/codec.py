"""Bytes <-> events for every enveloped topic. Decoding failures say what, where and why."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from hssk_contracts import text
from hssk_contracts.envelope import Envelope
from hssk_contracts.problems import DecodeError, Problem
from hssk_contracts.registry import EVENTS_BY_TOPIC

__all__ = ["DecodeError", "Problem", "decode", "decode_as", "encode", "problems_from"]

SUPPORTED_SCHEMA_VERSIONS = frozenset({1})
E = TypeVar("E", bound=Envelope)


@cache
def _adapter(topic: str) -> TypeAdapter[Any]:
    try:
        return TypeAdapter(EVENTS_BY_TOPIC[topic])
    except KeyError:
        raise KeyError(f"topic {topic!r} carries no enveloped events") from None


def encode(event: BaseModel) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def problems_from(error: ValidationError) -> list[Problem]:
    out = []
    for err in error.errors(include_url=False):
        where = text.shown(".".join(str(p) for p in err["loc"])) or "$"
        message = text.shown(err["msg"]) or err["type"]
        out.append(Problem(where, err["type"], message, text.shown(err.get("input"))))
    return out


def decode(topic: str, raw: bytes) -> Envelope:
    """Parse and validate `raw` as an event of `topic`; raise DecodeError with every problem."""
    doc = text.loads(raw)
    if not isinstance(doc, dict):
        raise DecodeError([Problem("$", "envelope_type", "an event must be a JSON object")])
    version = doc.get("schema_version", 1)
    if type(version) is not int or version not in SUPPORTED_SCHEMA_VERSIONS:
        raise DecodeError(
            [
                Problem(
                    "schema_version",
                    "schema_version_unsupported",
                    f"schema_version {text.shown(repr(version))} is not supported on {topic} "
                    f"(supported: {sorted(SUPPORTED_SCHEMA_VERSIONS)})",
                    text.shown(version),
                )
            ]
        )
    try:
        return _adapter(topic).validate_python(doc)
    except ValidationError as exc:
        raise DecodeError(problems_from(exc)) from None


def decode_as(expected: type[E], topic: str, raw: bytes) -> E:
    """Like `decode`, for a topic a consumer expects one event type on."""
    event = decode(topic, raw)
    if not isinstance(event, expected):
        raise DecodeError(
            [
                Problem(
                    "type",
                    "event_type_unexpected",
                    f"{topic} carried {event.type}, expected {expected.__name__}",
                    event.type,
                )
            ]
        )
    return event


def unknown_fields(model: type[BaseModel], data: Any, path: str = "") -> list[Problem]:
    """Fields in `data` that `model` does not define, recursively. Event models ignore unknown
    fields (tolerant readers); input from outside (hospitals) is refused for them instead, so a
    misspelt field is an error and not a silent loss."""
    if not isinstance(data, dict):
        return []
    problems = []
    for name, value in data.items():
        where = f"{path}.{name}" if path else name
        field = model.model_fields.get(name)
        if field is None:
            problems.append(
                Problem(
                    where,
                    "unknown_field",
                    f"{where} is not a field of "
                    f"{model.__name__}; check its spelling against the schema",
                )
            )
            continue
        for nested in _models_in(field.annotation):
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                at = f"{where}.{i}" if isinstance(value, list) else where
                problems += unknown_fields(nested, item, at)
    return problems


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]
