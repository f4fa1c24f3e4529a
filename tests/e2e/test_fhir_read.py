"""The FHIR read side as an integrator (the national health book, a hospital's EHR) uses it on
the running platform: the CapabilityStatement, a citizen's Patient, `$summary` and
`$everything` validated as FHIR R4 with fhir.resources; the same access rules as the records
API (a stranger, a doctor with no care relationship and no token are refused, as
OperationOutcomes); and each read in the citizen's own access log with the version shown."""

from __future__ import annotations

import asyncio

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient

from hssk_cli import stack
from tests.citizens import FACILITY, OTHER_FACILITY, make_citizen
from tests.e2e.test_citizen_record import RECORDS, bearer, citizen  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("platform_up")
FHIR = f"{RECORDS}/fhir"


def outcome(answer, status: int, code: str) -> OperationOutcome:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/fhir+json"
    read = OperationOutcome.model_validate(answer.json())
    assert read.issue[0].code == code
    return read


async def test_the_capability_statement_says_what_is_served(http):
    answer = await http.get(f"{FHIR}/metadata")
    assert answer.headers["content-type"] == "application/fhir+json"
    statement = CapabilityStatement.model_validate(answer.json())
    (patient,) = statement.rest[0].resource
    assert patient.type == "Patient" and [i.code for i in patient.interaction] == ["read"]
    assert {o.name for o in patient.operation} == {"summary", "everything"}
    assert (await http.get(f"{FHIR}/metadata?_format=json")).status_code == 200
    outcome(await http.get(f"{FHIR}/metadata?_format=xml"), 406, "not-supported")


async def test_a_citizen_reads_their_patient_summary_and_everything(http, token, citizen):  # noqa: F811
    me = bearer(token, role="citizen", person_id=citizen.person_id)
    answer = await http.get(f"{FHIR}/Patient/{citizen.person_id}", headers=me)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/fhir+json"
    patient = Patient.model_validate(answer.json())
    assert patient.id == citizen.person_id
    assert answer.headers["etag"] == f'W/"{patient.meta.versionId}"'
    sent = citizen.visit["data"]["patient"]
    assert patient.name[0].text == sent["name"]
    assert patient.identifier[0].value == sent["identifiers"][0]["value"]

    summary = Bundle.model_validate((await http.get(
        f"{FHIR}/Patient/{citizen.person_id}/$summary", headers=me)).json())  # fmt: skip
    assert summary.type == "document"
    assert summary.entry[0].resource.get_resource_type() == "Composition"

    everything = Bundle.model_validate((await http.get(
        f"{FHIR}/Patient/{citizen.person_id}/$everything", headers=me)).json())  # fmt: skip
    assert everything.type == "searchset" and everything.total == 1
    kinds = [e.resource.get_resource_type() for e in everything.entry]
    assert kinds[0] == "Patient" and everything.entry[0].search.mode == "match"
    (visit,) = [e.resource for e in everything.entry
                if e.resource.get_resource_type() == "Encounter"]  # fmt: skip
    assert visit.identifier[0].value == citizen.visit["key"]
    assert visit.subject.reference == everything.entry[0].fullUrl

    for _ in range(100):  # the reads reach the citizen's log through the audit topic
        log = (await http.get(f"{RECORDS}/v1/me/access-log", headers=me)).json()
        fhir = [e for e in log["entries"] if e["action"].startswith("fhir.")]
        if len(fhir) >= 3:
            break
        await asyncio.sleep(0.2)
    assert {e["action"] for e in fhir} == {"fhir.patient", "fhir.summary", "fhir.everything"}
    assert all(e["record_version"] == int(patient.meta.versionId) for e in fhir)
    assert any("chuẩn FHIR" in e["text_vi"] for e in fhir)


async def test_the_records_access_rules_hold_and_refusals_are_operation_outcomes(
    http,
    token,
    citizen,  # noqa: F811
):
    path = f"{FHIR}/Patient/{citizen.person_id}/$everything"
    outcome(await http.get(path), 401, "login")
    stranger = await make_citizen()
    other = bearer(token, role="citizen", person_id=stranger.person_id)
    outcome(await http.get(path, headers=other), 404, "not-found")
    unrelated = bearer(token, role="doctor", facility=OTHER_FACILITY)
    outcome(await http.get(path, headers=unrelated), 403, "forbidden")
    treating = bearer(token, role="doctor", facility=FACILITY)
    assert (await http.get(path, headers=treating)).status_code == 200
    leader = bearer(token, role="leader")
    outcome(await http.get(path, headers=leader), 403, "forbidden")
    bad = await http.get(f"{FHIR}/Patient/not-a-person-id", headers=treating)
    read = outcome(bad, 422, "invalid")
    assert read.issue[0].expression == ["path.person_id"]  # where the caller put it


async def test_a_hospital_posting_a_bad_bundle_reads_an_operation_outcome(http, token):
    ingest = stack.BY_NAME["ingest-emr"].url
    hospital = {**bearer(token, role="hospital", facility=FACILITY),
                "Content-Type": "application/fhir+json"}  # fmt: skip
    empty = {"resourceType": "Bundle", "type": "collection", "entry": []}
    answer = await http.post(f"{ingest}/v1/visits/fhir", json=empty, headers=hospital)
    read = outcome(answer, 422, "invalid")
    assert all(i.severity == "error" and i.diagnostics for i in read.issue)
    broken = await http.post(f"{ingest}/v1/visits/fhir", content=b"{", headers=hospital)
    assert broken.status_code == 422
    assert OperationOutcome.model_validate(broken.json()).issue[0].code == "structure"
