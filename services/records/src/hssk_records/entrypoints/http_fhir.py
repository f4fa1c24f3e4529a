"""HTTP entrypoint of the FHIR R4 read side (`application/fhir+json`): the CapabilityStatement at
/fhir/metadata, a citizen's Patient, `$summary` and `$everything`. Errors leave as
OperationOutcomes (hssk_kit.fhir_errors, installed for /fhir by the bootstrap)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import Response

from hssk_contracts.codes import PersonId
from hssk_kit.auth import Principal
from hssk_kit.fhir_errors import FHIR_JSON
from hssk_kit.guard import audited
from hssk_kit.http import responses
from hssk_records import fhir_reading
from hssk_records.context import Context
from hssk_records.domain import fhir_read
from hssk_records.entrypoints.render import refusal

PatientReader = Annotated[Principal, audited("citizen", "doctor", action="fhir.patient")]
SummaryReader = Annotated[Principal, audited("citizen", "doctor", action="fhir.summary")]
EverythingReader = Annotated[Principal, audited("citizen", "doctor", action="fhir.everything")]
Person = Annotated[PersonId, Path(description="the person id (the Patient's id)")]
REFUSALS = responses(403, 404, 410)
JSON_FORMATS = ("json", "application/json", "application/fhir+json")


def _json_only(
    format_: Annotated[
        str | None, Query(alias="_format", max_length=100, description="json (the only one)")
    ] = None,
) -> None:
    """FHIR's `_format`: this server speaks JSON; asking for XML or Turtle is a 406."""
    if format_ is not None and format_.split(";")[0].strip().lower() not in JSON_FORMATS:
        message = f"_format {format_!r} is not served: this FHIR server speaks JSON only"
        raise HTTPException(406, detail={"error": "format_not_served", "message": message})


JsonOnly = Depends(_json_only)


def _fhir(resource: dict[str, Any], **headers: str) -> Response:
    body = json.dumps(resource, ensure_ascii=False).encode()
    return Response(body, media_type=FHIR_JSON, headers=headers)


def _answers(what: str, refusals: bool = True) -> dict[int | str, dict[str, Any]]:
    ok = {"description": what, "content": {FHIR_JSON: {"schema": {"type": "object"}}}}
    return {200: ok, **responses(406), **(REFUSALS if refusals else {})}


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix="/fhir", tags=["fhir"], dependencies=[JsonOnly])
    s, p = ctx.stores, ctx.policy

    async def view(person_id: str, who: Principal, kind: fhir_reading.View) -> Response:
        read, resource = await fhir_reading.read(
            person_id,
            who,
            kind,
            records=s.records,
            events=s.events,
            grants=ctx.grants,
            audit=ctx.audit,
            now=ctx.clock(),
            doctor_window=p.doctor_window,
        )
        if resource is None or read.record is None:
            raise refusal(read)
        return _fhir(resource, ETag=f'W/"{read.record.version}"')

    @api.get("/metadata", response_class=Response, responses=_answers("CapabilityStatement", False))
    async def capability_statement() -> Response:
        """What this FHIR server answers (no token needed)."""
        base = f"{p.public_url}/fhir"
        return _fhir(fhir_read.capability_statement(base=base, now=ctx.clock()))

    @api.get("/Patient/{person_id}", response_class=Response, responses=_answers("Patient"))
    async def read_patient(person_id: Person, who: PatientReader) -> Response:
        """The citizen as a FHIR Patient: who may read it, as for the record."""
        return await view(person_id, who, "patient")

    @api.get(
        "/Patient/{person_id}/$summary",
        response_class=Response,
        responses=_answers("International Patient Summary: a document Bundle"),
    )
    async def patient_summary(person_id: Person, who: SummaryReader) -> Response:
        """The International Patient Summary of the record (alerts, problems, medications,
        immunizations, vital signs, results), each resource tagged with its provenance."""
        return await view(person_id, who, "summary")

    @api.get(
        "/Patient/{person_id}/$everything",
        response_class=Response,
        responses=_answers("a searchset Bundle: the Patient, the summary's resources, visits"),
    )
    async def patient_everything(person_id: Person, who: EverythingReader) -> Response:
        """Everything the platform holds about the patient: the Patient, the summary's
        resources and one Encounter per visit (its latest revision), newest first."""
        return await view(person_id, who, "everything")

    return api
