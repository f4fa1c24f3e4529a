"""Bytes <-> events for every enveloped topic. Decoding failures say what, where and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from hssk_contracts.envelope import Envelope
from hssk_contracts.registry import EVENTS_BY_TOPIC

SUPPORTED_SCHEMA_VERSIONS = frozenset({1})
E = TypeVar("E", bound=Envelope)


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str
    message: str
    value: str | None = None


class DecodeError(ValueError):
    """The bytes are not a valid event for the topic; `problems` lists each reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


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
        where = ".".join(str(p) for p in err["loc"]) or "$"
        value = err.get("input")
        shown = None if isinstance(value, dict | list) or value is None else str(value)[:200]
        out.append(Problem(field=where, rule=err["type"], message=err["msg"], value=shown))
    return out


def _reject_constant(name: str) -> None:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def decode(topic: str, raw: bytes) -> Envelope:
    """Parse and validate `raw` as an event of `topic`; raise DecodeError with every problem."""
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError([Problem("$", "json_invalid", f"not valid UTF-8 JSON: {exc}")]) from None
    if not isinstance(doc, dict):
        raise DecodeError([Problem("$", "envelope_type", "an event must be a JSON object")])
    version = doc.get("schema_version", 1)
    if type(version) is not int or version not in SUPPORTED_SCHEMA_VERSIONS:
        raise DecodeError(
            [
                Problem(
                    "schema_version",
                    "schema_version_unsupported",
                    f"schema_version {version!r} is not supported on {topic} "
                    f"(supported: {sorted(SUPPORTED_SCHEMA_VERSIONS)})",
                    str(version),
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
