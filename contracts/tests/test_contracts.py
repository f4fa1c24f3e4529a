"""The contracts hold together: registry, committed schemas, examples and the codec agree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hssk_contracts import identifiers, schemas, topics
from hssk_contracts.codec import DecodeError, decode, encode
from hssk_contracts.events import VisitSubmitted
from hssk_contracts.registry import EVENTS_BY_TOPIC
from hssk_contracts.visit import Visit

EXAMPLES_DIR = schemas.CONTRACTS_DIR / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*/*.json"))
TOPIC_NAME = re.compile(r"^[a-z]+(\.[a-z0-9-]+)+\.v\d+$")


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def load_example(topic: str, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES_DIR / topic / name).read_bytes())
    return doc


def event_types(topic: str) -> set[str]:
    """The `type` constants a topic's generated schema admits."""
    schema = schemas.schema_for(topic)
    options = schema.get("oneOf", [schema])
    models = [schema["$defs"][o["$ref"].split("/")[-1]] if "$ref" in o else o for o in options]
    return {model["properties"]["type"]["const"] for model in models}


# ---- registry -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted({t.name for t in topics.ALL} | EVENTS_BY_TOPIC.keys()))
def test_topic_names_are_dotted_lowercase_and_versioned(name: str) -> None:
    assert TOPIC_NAME.fullmatch(name)


def test_every_envelope_topic_is_in_the_registry_and_no_raw_topic_is() -> None:
    enveloped = {t.name for t in topics.ALL if t.format == "envelope-json"}
    assert set(EVENTS_BY_TOPIC) == enveloped


@pytest.mark.parametrize("topic", sorted(EVENTS_BY_TOPIC))
def test_registry_models_carry_exactly_the_declared_event_types(topic: str) -> None:
    assert event_types(topic) == set(topics.BY_NAME[topic].event_types)


# ---- committed schemas --------------------------------------------------------------------------
def test_committed_schemas_equal_the_generated_ones() -> None:
    assert schemas.differences() == [], "run `python -m hssk_contracts.schemas write`"
    assert schemas.main(["check"]) == 0


@pytest.mark.parametrize("topic", sorted(EVENTS_BY_TOPIC))
def test_every_enveloped_topic_has_a_schema_and_two_examples(topic: str) -> None:
    committed = json.loads(schemas.path_for(topic).read_text(encoding="utf-8"))
    assert committed["$id"] == f"http://127.0.0.1:8003/schemas/{topic}.json"  # the local stack
    assert committed["title"] == topic
    jsonschema.Draft202012Validator.check_schema(committed)
    assert len(list((EXAMPLES_DIR / topic).glob("*.json"))) >= 2


def test_examples_only_exist_for_registry_topics() -> None:
    assert {p.parent.name for p in EXAMPLES} <= set(EVENTS_BY_TOPIC)


# ---- examples -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_example_decodes_and_round_trips(path: Path) -> None:
    topic = path.parent.name
    event = decode(topic, path.read_bytes())
    assert decode(topic, encode(event)) == event


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_example_validates_against_the_committed_json_schema(path: Path) -> None:
    schema = json.loads(schemas.path_for(path.parent.name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(path.read_bytes()))


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_example_key_is_the_topic_key(path: Path) -> None:
    topic = topics.BY_NAME[path.parent.name]
    event: Any = decode(topic.name, path.read_bytes())
    if topic.key == "person_id":
        assert event.key == event.data.person_id
    elif topic.key == "facility_code:visit_id":
        visit = event.data if isinstance(event.data, Visit) else event.data.visit
        assert event.key == visit.key


def _people(node: Any) -> list[dict[str, Any]]:
    """Every object in an example that carries identifiers (patients, person snapshots)."""
    if isinstance(node, list):
        return [p for item in node for p in _people(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if "identifiers" in node else []
    return found + [p for value in node.values() for p in _people(value)]


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_example_identifiers_are_well_formed_and_fit_birth_date_and_sex(path: Path) -> None:
    for person in _people(json.loads(path.read_bytes())):
        birth = person.get("birth_date")
        for ident in person["identifiers"]:
            assert identifiers.format_problem(ident["type"], ident["value"]) is None, ident
            if ident["type"] == "cccd":
                year = int(birth[:4]) if birth else None
                sex = person.get("sex", "unknown")
                assert identifiers.cccd_consistency(ident["value"], year, sex) == [], ident


def test_identity_person_has_an_example_per_event_type() -> None:
    topic = topics.IDENTITY_PERSON.name
    seen = {decode(topic, p.read_bytes()).type for p in (EXAMPLES_DIR / topic).glob("*.json")}
    assert seen == set(topics.IDENTITY_PERSON.event_types)


def test_full_visit_example_fills_labs_drugs_vitals_and_revisit_date() -> None:
    raw = (EXAMPLES_DIR / topics.EMR_VISIT.name / "outpatient-hypertension.json").read_bytes()
    event = decode(topics.EMR_VISIT.name, raw)
    assert isinstance(event, VisitSubmitted)
    visit = event.data
    assert visit.labs and visit.drugs and visit.revisit_date and visit.main_icd10
    assert visit.vitals.systolic_mmhg and visit.vitals.weight_kg


def test_minimal_visit_is_one_kafka_message_with_only_required_fields() -> None:
    raw = (EXAMPLES_DIR / topics.EMR_VISIT.name / "minimal.json").read_bytes()
    # kcat -P reads stdin as one message per line, so the whole event must sit on one line.
    assert b"\n" not in raw.rstrip(b"\n")
    event = decode(topics.EMR_VISIT.name, raw)
    visit_schema = Visit.model_json_schema()
    data = json.loads(raw)["data"]
    assert set(data) == set(visit_schema["required"])
    assert set(data["patient"]) == set(visit_schema["$defs"]["Patient"]["required"])
    assert event.key == f"{data['facility_code']}:{data['visit_id']}"


# ---- codec errors -------------------------------------------------------------------------------
def problem_fields(topic: str, doc: dict[str, Any] | bytes) -> list[str]:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    with pytest.raises(DecodeError) as caught:
        decode(topic, raw)
    return [p.field for p in caught.value.problems]


def test_decode_rejects_bad_json_at_the_root() -> None:
    assert problem_fields(topics.EMR_VISIT.name, b'{"event_id": "x", "data": {') == ["$"]


def test_decode_names_missing_patient_identifiers() -> None:
    doc = load_example(topics.EMR_VISIT.name, "minimal.json")
    del doc["data"]["patient"]["identifiers"]
    assert problem_fields(topics.EMR_VISIT.name, doc) == ["data.patient.identifiers"]


def test_decode_refuses_an_unknown_schema_version() -> None:
    doc = load_example(topics.EMR_VISIT.name, "minimal.json") | {"schema_version": 2}
    assert problem_fields(topics.EMR_VISIT.name, doc) == ["schema_version"]


def test_decode_names_a_field_of_the_wrong_type() -> None:
    doc = load_example(topics.EMR_VISIT.name, "outpatient-hypertension.json")
    doc["data"]["vitals"]["systolic_mmhg"] = "high"
    assert problem_fields(topics.EMR_VISIT.name, doc) == ["data.vitals.systolic_mmhg"]


def test_decode_names_the_field_inside_a_union_topic() -> None:
    doc = load_example(topics.IDENTITY_PERSON.name, "person-created.json")
    doc["data"]["version"] = "first"
    assert problem_fields(topics.IDENTITY_PERSON.name, doc) == ["PersonCreated.data.version"]
