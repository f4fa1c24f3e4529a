"""JSON Schemas for every enveloped topic: generated from the models, committed under
contracts/schemas/, and checked in CI (`python -m hssk_contracts.schemas write|check`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from hssk_contracts.registry import EVENTS_BY_TOPIC
from hssk_contracts.topics import BY_NAME

# contracts/src/hssk_contracts/schemas.py -> contracts/
CONTRACTS_DIR = Path(__file__).resolve().parents[2]
SCHEMAS_DIR = CONTRACTS_DIR / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Every service serves the schemas at <public URL>/schemas/<topic>.json (hssk_kit.http), and
# each event names its schema's URL (its ce_dataschema header, hssk_contracts.cloud_events).
# The committed files name the local stack's ingest-emr, the integrators' service; a deployment
# sets its own public URL (PUBLIC_URL in deploy/k8s) and serves the same files under it.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8003"
SCHEMAS_PATH = "/schemas"


def schema_url(topic: str, public_url: str = DEFAULT_PUBLIC_URL) -> str:
    return f"{public_url.rstrip('/')}{SCHEMAS_PATH}/{topic}.json"


def schema_for(topic: str, public_url: str = DEFAULT_PUBLIC_URL) -> dict[str, Any]:
    """The JSON Schema a message on `topic` must satisfy, as a JSON-ready dict, its `$id` the
    URL the platform at `public_url` serves it under."""
    generated = TypeAdapter(EVENTS_BY_TOPIC[topic]).json_schema(mode="validation")
    return {
        **generated,
        "$schema": DIALECT,
        "$id": schema_url(topic, public_url),
        "title": topic,
        "description": BY_NAME[topic].description,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def path_for(topic: str) -> Path:
    return SCHEMAS_DIR / f"{topic}.json"


def generated() -> dict[str, str]:
    """File name -> rendered schema text, for every enveloped topic."""
    return {path_for(topic).name: render(schema_for(topic)) for topic in sorted(EVENTS_BY_TOPIC)}


def differences() -> list[str]:
    """One line per committed schema file that is missing, stale or different from the models."""
    expected = generated()
    committed = {p.name for p in SCHEMAS_DIR.glob("*.json")}
    out = [
        f"{name}: not generated from any registry topic (stale)"
        for name in sorted(committed - expected.keys())
    ]
    for name, text in expected.items():
        path = SCHEMAS_DIR / name
        if not path.exists():
            out.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            out.append(f"{name}: differs from the model")
    return out


def write() -> list[Path]:
    """Write every schema and remove files no registry topic generates; returns what changed."""
    SCHEMAS_DIR.mkdir(parents=True, exist_ok=True)
    expected = generated()
    changed = []
    for stale in sorted(p for p in SCHEMAS_DIR.glob("*.json") if p.name not in expected):
        stale.unlink()
        changed.append(stale)
    for name, text in expected.items():
        path = SCHEMAS_DIR / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if argv == ["write"]:
        for path in write():
            print(f"updated {path.relative_to(CONTRACTS_DIR.parent)}")
        return 0
    if argv == ["check"]:
        problems = differences()
        for line in problems:
            print(f"contracts/schemas/{line}")
        if problems:
            print("run `python -m hssk_contracts.schemas write` and commit the result")
            return 1
        print(f"{len(EVENTS_BY_TOPIC)} schemas match the models")
        return 0
    print("usage: python -m hssk_contracts.schemas write|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
