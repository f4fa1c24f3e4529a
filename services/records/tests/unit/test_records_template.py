"""domain/template: the 46-field record and which fields a record fills."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hssk_cli import synth
from hssk_records.domain import template
from hssk_records.domain.record import apply_visit

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def synthetic_record():
    person = next(p for p in synth.population(10, seed=3) if p.bhyt)
    v = synth.visit(person, random.Random(4), now=NOW, facility="01001", visit_id="LK1")
    return apply_visit(None, "person-1", v, "h1").record


def test_template_has_46_distinct_fields_each_with_a_label():
    keys = [k for k, _ in template.FIELDS]
    assert len(keys) == 46
    assert len(set(keys)) == 46
    assert all(label.strip() for _, label in template.FIELDS)
    assert set(template.SELF_DECLARABLE) <= set(keys)


def test_filled_and_missing_for_a_synthetic_visit():
    record = synthetic_record()

    assert template.filled(record) == {
        "name",
        "birth_date",
        "sex",
        "phone",
        "address",
        "personal_id",
        "bhyt_card",
        "facility",
        "visit_type",
        "admitted_at",
        "discharged_at",
        "reason",
        "diagnosis_discharge",
        "main_icd10",
        "outcome",
        "discharge_type",
        "weight",
        "tests",
        "test_results",
        "drugs",
        "revisit_date",
        "advice",
        "treating_doctor",
    }
    assert template.missing(record) == [
        "ethnicity",
        "nationality",
        "occupation",
        "initial_facility",
        "representative_name",
        "representative_relation",
        "representative_id",
        "representative_phone",
        "drug_allergy",
        "other_allergy",
        "chronic_diseases",
        "vaccinations",
        "diagnosis_admission",
        "secondary_icd10",
        "blood_group",
        "height",
        "procedures",
        "referral",
        "disease_course",
        "key_lab_results",
        "treatment",
        "summary_outcome",
        "plan_notes",
    ]


def test_filled_and_missing_partition_the_template():
    record = synthetic_record()
    assert len(template.filled(record)) + len(template.missing(record)) == 46


def test_self_declared_fields_count_and_unknown_keys_do_not():
    record = synthetic_record().model_copy(
        update={"declared": {"blood_group": "O+", "drug_allergy": "Penicillin", "shoe": "42"}}
    )
    have = template.filled(record)
    assert {"blood_group", "drug_allergy"} <= have
    assert "shoe" not in have
    assert "blood_group" not in template.missing(record)
    assert len(template.missing(record)) == 21
