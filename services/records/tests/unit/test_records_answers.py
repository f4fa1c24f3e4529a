"""The OpenAPI's shapes of the record's reads (entrypoints/answers.py) are the views' own: every
view built from records of every kind validates against them, no field unknown to them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from hssk_records.domain.views import record_view
from hssk_records.entrypoints.answers import RecordView
from services.records.tests.unit.test_records_fhir_read import with_visits
from services.records.tests.unit.test_records_ips import NOW, declared, visited

DECLARED = {
    "height_cm": 158,
    "weight_kg": 52,
    "blood_group": "O+",
    "drug_allergies": {"items": [{"substance": "Penicillin", "reaction": "nổi mẩn"}]},
    "chronic_conditions": {"none_known": True},
}


def records():
    yield "declared only", declared(None, DECLARED)
    yield "visited only", visited(None)
    yield "visited then declared", declared(visited(None), DECLARED)
    yield "two visits", with_visits()[0]


@pytest.mark.parametrize(("what", "record"), list(records()))
def test_every_view_is_the_documented_shape(what, record):
    view = record_view(record, today=(NOW + timedelta(hours=7)).date())
    RecordView.model_validate({**view, "as_of": None})


def test_the_shape_refuses_a_field_it_does_not_know():
    view = record_view(visited(None), today=NOW.date())
    with pytest.raises(ValidationError):
        RecordView.model_validate({**view, "surprise": 1})
