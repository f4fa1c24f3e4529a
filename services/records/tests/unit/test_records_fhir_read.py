"""domain/fhir_read: the record on the FHIR R4 read side (Patient, $everything, the
CapabilityStatement), each validated with fhir.resources."""

from __future__ import annotations

import random
from datetime import timedelta

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.patient import Patient

from hssk_cli import synth
from hssk_contracts.visit import Visit
from hssk_records.domain import fhir_read
from hssk_records.domain.record import Record
from services.records.tests.unit.test_records_ips import NOW, PID, _event


def with_visits() -> tuple[Record, list[Visit]]:
    """A record with a finished outpatient visit, then an inpatient stay begun the day after."""
    person = next(p for p in synth.population(10, seed=3) if p.bhyt)
    rng = random.Random(4)
    first = synth.visit(person, rng, now=NOW, facility="01001", visit_id="LK1")
    first = first.model_copy(update={"discharged_at": first.admitted_at + timedelta(hours=2),
                                     "inpatient_at": None})  # fmt: skip
    later = NOW + timedelta(days=1)
    stay = synth.visit(person, rng, now=NOW, facility="01001", visit_id="LK2")
    stay = stay.model_copy(update={"admitted_at": later, "inpatient_at": later,
                                   "discharged_at": None})  # fmt: skip
    record = _event(_event(None, "visit_added", "01001", visit=first), "visit_added", "01001",
                    visit=stay)  # fmt: skip
    return record, [first, stay]


def test_the_patient_is_the_record_under_its_person_id_and_version():
    record, _ = with_visits()
    patient = Patient.model_validate(fhir_read.patient(record))
    assert patient.id == PID and patient.meta.versionId == str(record.version) == "2"


def test_everything_is_the_patient_then_the_summary_then_each_visit_newest_first():
    record, visits = with_visits()
    bundle = fhir_read.everything(record, visits, now=NOW)
    read = Bundle.model_validate(bundle)
    assert read.type == "searchset" and read.total == 1
    assert read.entry[0].resource.get_resource_type() == "Patient"
    assert read.entry[0].search.mode == "match"
    assert {e.search.mode for e in read.entry[1:]} == {"include"}
    kinds = {e.resource.get_resource_type() for e in read.entry}
    assert {"Condition", "AllergyIntolerance", "MedicationStatement"} & kinds  # the summary's
    encounters = [e.resource for e in read.entry if e.resource.get_resource_type() == "Encounter"]
    assert [e.identifier[0].value for e in encounters] == ["01001:LK2", "01001:LK1"]
    stay, first = encounters
    assert (stay.class_fhir.code, stay.status, stay.period.end) == ("IMP", "in-progress", None)
    assert (first.class_fhir.code, first.status) == ("AMB", "finished")
    urls = [e.fullUrl for e in read.entry]
    assert len(set(urls)) == len(urls)  # no two entries share a fullUrl
    assert all(e.subject.reference == urls[0] for e in encounters)  # references resolve inside
    assert fhir_read.everything(record, list(reversed(visits)), now=NOW) == bundle  # pure


def test_the_capability_statement_names_patient_read_and_both_operations():
    statement = CapabilityStatement.model_validate(
        fhir_read.capability_statement(base="https://hssk.example.vn/fhir", now=NOW)
    )
    assert statement.fhirVersion == "4.0.1" and statement.kind == "instance"
    (patient,) = statement.rest[0].resource
    assert [i.code for i in patient.interaction] == ["read"]
    assert {o.definition for o in patient.operation} == {
        fhir_read.SUMMARY_OPERATION,
        fhir_read.EVERYTHING_OPERATION,
    }
