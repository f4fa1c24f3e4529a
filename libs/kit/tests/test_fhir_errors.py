"""FHIR routes answer errors as FHIR says them: every RFC 9457 problem a service answers under a
FHIR path (from the boundary guard, a role check or a handler) leaves as an OperationOutcome with
the same status, valid FHIR R4; other paths keep their problems."""

from __future__ import annotations

import httpx
from fastapi import HTTPException
from fhir.resources.R4B.operationoutcome import OperationOutcome

from hssk_kit.audit import InMemoryAuditLog
from hssk_kit.fhir_errors import OperationOutcomes, operation_outcome
from hssk_kit.http import new_app


def client() -> httpx.AsyncClient:
    app = new_app("t", "t", object(), service="t", audit=InMemoryAuditLog())

    @app.get("/fhir/Patient/{pid}")
    async def gone(pid: int) -> dict:
        raise HTTPException(410, detail={"error": "merged", "message": "merged into p-2"})

    @app.get("/v1/things/{pid}")
    async def thing(pid: int) -> dict:
        raise HTTPException(404, detail={"error": "not_found", "message": "no such thing"})

    app.add_middleware(OperationOutcomes, prefixes=("/fhir/",))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_an_error_under_a_fhir_path_is_an_operation_outcome_with_its_status():
    async with client() as http:
        merged = await http.get("/fhir/Patient/7")
        bad = await http.get("/fhir/Patient/seven")  # the path id is refused before any route
        other = await http.get("/v1/things/7")
    assert (merged.status_code, merged.headers["content-type"]) == (410, "application/fhir+json")
    issue = OperationOutcome.model_validate(merged.json()).issue[0]
    assert (issue.code, issue.diagnostics, issue.details.coding[0].code) == (
        "deleted", "merged into p-2", "merged")  # fmt: skip
    assert int(merged.headers["content-length"]) == len(merged.content)
    assert bad.status_code == 422
    (issue,) = OperationOutcome.model_validate(bad.json()).issue
    assert (issue.code, issue.expression) == ("invalid", ["path.pid"])
    assert other.headers["content-type"] == "application/problem+json"  # untouched elsewhere
    assert other.json()["error"] == "not_found"


def test_each_problem_of_a_422_is_an_issue_naming_its_field_in_both_languages():
    outcome = operation_outcome({
        "status": 422, "title": "Unprocessable Content", "detail": "…", "error": "invalid_bundle",
        "problems": [
            {"field": "entry.0.resource.birthDate", "rule": "missing", "message": "thiếu ngày sinh",
             "message_en": "birth date missing"},
            {"field": "$", "rule": "json_invalid", "message": "line 1, column 3"},
        ],
    })  # fmt: skip
    first, second = OperationOutcome.model_validate(outcome).issue
    assert (first.code, first.expression) == ("required", ["entry.0.resource.birthDate"])
    assert first.diagnostics == "thiếu ngày sinh (birth date missing)"
    assert (second.code, second.expression) == ("structure", None)
