"""domain/completeness (and the template it counts): which of the 46 fields a record fills from
any source, that "none known" is an answer and fills a field, that a representative fills only
the fields given, and that `best_next` is the first missing field, in the order a doctor needs
them, that the citizen can fill."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hssk_cli import synth
from hssk_records.domain import completeness, declaration, events, template
from hssk_records.domain.events import Change, Placed, RecordEvent
from hssk_records.domain.record import Record

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PID = "person-0001"
KEYS = [key for key, _ in template.FIELDS]
NONE_KNOWN = {"none_known": True}


def _event(record: Record | None, change: Change, **fields: Any) -> Record:
    version = record.version + 1 if record else 1
    event = RecordEvent(
        person_id=PID, version=version, at=NOW, change=change, cause="test", by="t", **fields
    )
    return events.apply(record, event)


def declared(record: Record | None, body: dict[str, Any]) -> Record:
    """`body` declared a minute after the record's last change."""
    parsed, problems = declaration.parse(body)
    assert parsed is not None, problems
    at = NOW + timedelta(minutes=record.version if record else 0)
    facts = declaration.facts_of(parsed, at)
    placed = [
        Placed.model_validate({"part": p, "slot": s, "fact": f}) for (p, s), f in facts.items()
    ]
    return _event(record, "self_declared", facts=placed)


def visited() -> Record:
    person = next(p for p in synth.population(10, seed=3) if p.bhyt)
    visit = synth.visit(person, random.Random(4), now=NOW, facility="01001", visit_id="LK1")
    # synth's draws shift with today's date (ages): pin what the assertions rely on
    visit = visit.model_copy(update={"main_icd10": "I10"})
    return _event(None, "visit_added", visit=visit)


def test_the_template_has_46_distinct_labelled_fields_and_the_self_declarable_are_among_them():
    assert len(KEYS) == len(set(KEYS)) == 46
    assert all(label.strip() for _, label in template.FIELDS)
    assert set(template.SELF_DECLARABLE) <= set(KEYS)
    assert set(completeness.BEST_NEXT) == set(template.SELF_DECLARABLE)


def test_an_empty_record_misses_all_46_in_template_order_and_asks_for_drug_allergies_first():
    c = completeness.assess(Record(person_id=PID))

    assert (c.filled, c.total, c.score) == (0, 46, 0.0)
    assert c.missing == KEYS
    assert c.best_next == "drug_allergy"


def test_a_synthetic_visit_fills_its_fields_and_a_chronic_icd10_code_fills_chronic_diseases():
    record = visited()

    assert completeness.filled(record) == {
        *("name", "birth_date", "sex", "phone", "address", "personal_id", "bhyt_card"),
        *("facility", "visit_type", "admitted_at", "discharged_at", "reason"),
        *("diagnosis_discharge", "main_icd10", "outcome", "discharge_type", "weight"),
        *("tests", "test_results", "drugs", "revisit_date", "advice", "treating_doctor"),
        "chronic_diseases",  # the visit's I10
    }
    assert record.reported_items("chronic_conditions") == ["I10"]
    c = record.completeness
    assert (c.filled, c.score) == (24, round(24 / 46, 4))
    assert c.missing == [k for k in KEYS if k not in completeness.filled(record)]
    assert c.best_next == "drug_allergy"


def test_none_known_is_an_answer_and_fills_the_field():
    record = declared(
        None,
        {"drug_allergies": NONE_KNOWN, "other_allergies": NONE_KNOWN, "vaccinations": NONE_KNOWN},
    )

    assert completeness.filled(record) == {"drug_allergy", "other_allergy", "vaccinations"}
    assert record.completeness.best_next == "chronic_diseases"


REPRESENTATIVE = {"name": "Trần Thị Bình", "relation": "vợ"}
REACHABLE = {**REPRESENTATIVE, "phone": "0912345678"}
STEPS: list[tuple[dict[str, Any], str | None]] = [  # declared one after the other
    ({"drug_allergies": NONE_KNOWN}, "chronic_diseases"),
    ({"chronic_conditions": {"items": [{"name": "Hen phế quản"}]}}, "blood_group"),
    ({"blood_group": "O+"}, "representative_phone"),
    ({"representative": REPRESENTATIVE}, "representative_phone"),
    ({"representative": REACHABLE}, "vaccinations"),
    ({"vaccinations": NONE_KNOWN}, "other_allergy"),
    ({"other_allergies": {"items": [{"kind": "food", "substance": "Tôm"}]}}, "weight"),
    ({"weight_kg": 60}, "height"),
    ({"height_cm": 165}, "phone"),
    ({"phone": "0912345678"}, "representative_id"),
    ({"representative": {**REACHABLE, "id_number": "001190012345"}}, None),
]


def test_best_next_follows_what_a_doctor_needs_first_then_nothing_is_left_to_ask():
    record: Record | None = None
    seen = []
    for body, _ in STEPS:
        record = declared(record, body)
        seen.append(record.completeness.best_next)

    assert seen == [expected for _, expected in STEPS]
    assert record.completeness.filled == len(completeness.BEST_NEXT)


def test_a_representative_fills_only_the_fields_given_and_a_later_answer_replaces_it():
    record = declared(None, {"representative": {"name": "Trần Thị Bình", "relation": "vợ"}})
    assert completeness.filled(record) == {"representative_name", "representative_relation"}

    record = declared(
        record,
        {"representative": {"name": "Lê Văn Cường", "relation": "con", "phone": "0912345678"}},
    )
    assert completeness.filled(record) == {
        "representative_name",
        "representative_relation",
        "representative_phone",
    }


def test_a_visits_height_and_a_declared_weight_both_count():
    record = declared(visited(), {"height_cm": 120})

    assert {"height", "weight"} <= completeness.filled(record)
    assert record.completeness.filled == 25
    assert "height" not in record.completeness.missing


def test_an_empty_list_answer_does_not_fill_the_field():
    parsed, problems = declaration.parse({"drug_allergies": {}})
    if parsed is None:  # refusing the empty answer is as good as not counting it
        assert problems
        return
    record = declared(None, {"drug_allergies": {}})

    assert "drug_allergy" in record.completeness.missing
    assert record.completeness.best_next == "drug_allergy"
