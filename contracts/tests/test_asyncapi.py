"""contracts/asyncapi.json: generated from the topic registry, committed, valid against the
official AsyncAPI 3.0 JSON Schema (the @asyncapi/specs package, fetched with npm once and kept
in .hssk/cache), every `$ref` resolving, every topic a channel and every party an operation."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import tarfile

import jsonschema
import pytest

from hssk_contracts import asyncapi
from hssk_contracts.registry import EVENTS_BY_TOPIC
from hssk_contracts.schemas import CONTRACTS_DIR
from hssk_contracts.topics import ALL

SPECS = "@asyncapi/specs@6.11.1"  # the AsyncAPI Initiative's own JSON Schemas of the spec
CACHE = CONTRACTS_DIR.parent / ".hssk" / "cache" / "asyncapi-specs-6.11.1"


@pytest.fixture(scope="module")
def spec() -> dict:
    schema = CACHE / "package" / "schemas" / "3.0.0-without-$id.json"
    if not schema.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to fetch the AsyncAPI specification's JSON Schema"
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "pack", SPECS, "--silent"], cwd=CACHE, check=True, timeout=120,
                       capture_output=True)  # fmt: skip
        (packed,) = CACHE.glob("*.tgz")
        with tarfile.open(packed) as tar:
            tar.extractall(CACHE, filter="data")
    return json.loads(schema.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(asyncapi.PATH.read_text(encoding="utf-8"))


def test_the_committed_document_is_the_generated_one() -> None:
    assert asyncapi.main(["check"]) == 0, "run `python -m hssk_contracts.asyncapi write`"


def test_it_validates_against_the_asyncapi_3_schema(spec, committed) -> None:
    validator = jsonschema.Draft7Validator(spec)
    assert [e.message for e in validator.iter_errors(committed)] == []
    broken = copy.deepcopy(committed)
    next(iter(broken["operations"].values()))["action"] = "publish"  # AsyncAPI 2's word
    assert list(validator.iter_errors(broken)), "the validator must catch a wrong document"


def test_every_ref_resolves(committed) -> None:
    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(committed))
    assert len(found) > 3 * len(ALL)
    for ref in found:
        if ref.startswith("#/"):
            node = committed
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        else:
            assert (CONTRACTS_DIR / ref).is_file(), ref


def test_every_topic_is_a_channel_and_every_party_an_operation(committed) -> None:
    addresses = {c["address"]: key for key, c in committed["channels"].items()}
    assert set(addresses) == {t.name for t in ALL}
    for topic in ALL:
        channel = committed["channels"][addresses[topic.name]]
        assert channel["bindings"]["kafka"]["partitions"] == topic.partitions
        (message,) = channel["messages"].values()
        body = committed["components"]["messages"][message["$ref"].rsplit("/", 1)[1]]
        if topic.name in EVENTS_BY_TOPIC:
            assert body["payload"]["schema"] == {"$ref": f"schemas/{topic.name}.json"}
            assert "ce_dataschema" in body["headers"]["properties"]
        parties = {(o["action"], o["title"].split(f" {o['action']}s ")[0])
                   for o in committed["operations"].values()
                   if o["channel"]["$ref"].endswith(addresses[topic.name])}  # fmt: skip
        assert parties == {("send", p) for p in topic.producers} | {
            ("receive", c) for c in topic.consumers
        }
