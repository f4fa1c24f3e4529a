"""The breaking-change checker: what breaks consumers or producers of a topic, and what does not."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hssk_contracts import compat, schemas, topics
from hssk_contracts.compat import breaking_changes


def person_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "sex": {"type": "string", "enum": ["male", "female", "unknown"]},
            "phone": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "address": {"$ref": "#/$defs/Address"},
        },
        "required": ["name"],
        "$defs": {
            "Address": {
                "type": "object",
                "properties": {"commune_code": {"type": "string"}},
            }
        },
    }


def changed(edit: Any) -> list[str]:
    old = person_schema()
    new = copy.deepcopy(old)
    edit(new)
    return breaking_changes(old, new)


def test_identical_schemas_do_not_break() -> None:
    assert breaking_changes(person_schema(), person_schema()) == []


def test_removing_a_property_breaks() -> None:
    assert changed(lambda s: s["properties"].pop("age")) == ["$.age: property removed"]


def test_retyping_a_property_breaks() -> None:
    breaks = changed(lambda s: s["properties"]["age"].update(type="string"))
    assert len(breaks) == 1 and breaks[0].startswith("$.age: type changed")


def test_making_a_property_required_breaks() -> None:
    assert changed(lambda s: s["required"].append("age")) == ["$.age: property newly required"]


def test_removing_an_enum_value_breaks() -> None:
    breaks = changed(lambda s: s["properties"]["sex"]["enum"].remove("unknown"))
    assert breaks == ["$.sex: values removed: ['unknown']"]


def test_removing_an_any_of_option_breaks() -> None:
    breaks = changed(lambda s: s["properties"].update(phone={"type": "string"}))
    assert breaks and all(b.startswith("$.phone") for b in breaks)


def test_closing_additional_properties_breaks() -> None:
    breaks = changed(lambda s: s["$defs"]["Address"].update(additionalProperties=False))
    assert breaks == ["$.address: additionalProperties turned false (unknown fields now refused)"]


def test_a_change_behind_a_local_ref_is_found_by_its_json_path() -> None:
    breaks = changed(lambda s: s["$defs"]["Address"]["properties"].pop("commune_code"))
    assert breaks == ["$.address.commune_code: property removed"]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda s: s["properties"].update(
                email={"anyOf": [{"type": "string"}, {"type": "null"}]}
            ),
            id="optional property added",
        ),
        pytest.param(
            lambda s: s["properties"]["sex"]["enum"].append("other"), id="enum value added"
        ),
        pytest.param(
            lambda s: s["properties"]["age"].update(type="number"), id="integer to number"
        ),
        pytest.param(
            lambda s: s["properties"].update(
                name={"anyOf": [{"type": "string"}, {"type": "null"}]}
            ),
            id="type widened to nullable",
        ),
        pytest.param(
            lambda s: s["properties"]["phone"]["anyOf"].append({"type": "null"}), id="option added"
        ),
    ],
)
def test_additive_changes_do_not_break(edit: Any) -> None:
    assert changed(edit) == []


# ---- on the real topic schemas ------------------------------------------------------------------
def test_dropping_a_visit_field_breaks_emr_visit() -> None:
    old = schemas.schema_for(topics.EMR_VISIT.name)
    new = copy.deepcopy(old)
    del new["$defs"]["Patient"]["properties"]["identifiers"]
    assert "$.data.patient.identifiers: property removed" in breaking_changes(old, new)


def test_dropping_an_event_type_from_a_union_topic_breaks() -> None:
    old = schemas.schema_for(topics.IDENTITY_PERSON.name)
    new = copy.deepcopy(old)
    new["oneOf"] = [o for o in new["oneOf"] if not o["$ref"].endswith("/PersonUnmerged")]
    breaks = breaking_changes(old, new)
    assert any("PersonUnmerged" in b for b in breaks)


def test_adding_an_event_type_to_a_union_topic_does_not_break() -> None:
    old = schemas.schema_for(topics.IDENTITY_PERSON.name)
    new = copy.deepcopy(old)
    old["oneOf"] = old["oneOf"][:3]
    assert breaking_changes(old, new) == []


# ---- the git gate -------------------------------------------------------------------------------
def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def contracts_at_base(tmp_path: Path) -> Path:
    """A scratch repo whose first commit holds one topic schema under contracts/schemas/."""
    contracts_dir = tmp_path / "contracts"
    (contracts_dir / "schemas").mkdir(parents=True)
    (contracts_dir / "schemas" / "a.topic.v1.json").write_text(json.dumps(person_schema()))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    return contracts_dir


def test_gate_passes_unchanged_and_new_topics(contracts_at_base: Path) -> None:
    current = {"a.topic.v1.json": person_schema(), "b.topic.v1.json": {"type": "object"}}
    assert compat.breaks_since("HEAD", contracts_at_base, current) == []


def test_gate_reports_breaks_per_schema_file(contracts_at_base: Path) -> None:
    narrowed = person_schema()
    del narrowed["properties"]["age"]
    breaks = compat.breaks_since("HEAD", contracts_at_base, {"a.topic.v1.json": narrowed})
    assert breaks == ["a.topic.v1.json $.age: property removed"]


def test_gate_reports_a_removed_topic(contracts_at_base: Path) -> None:
    breaks = compat.breaks_since("HEAD", contracts_at_base, {})
    assert breaks == ["a.topic.v1.json: topic removed (its consumers lose it)"]


def test_gate_skips_a_ref_that_does_not_exist(contracts_at_base: Path) -> None:
    assert compat.breaks_since("no-such-ref", contracts_at_base, {}) is None
    assert compat.main(["refs/heads/no-such-branch-for-hssk-tests"]) == 0
