"""HTTP entrypoint for hospitals that cannot run a Kafka producer: the three formats a hospital
has (canonical JSON, QĐ 130 XML, FHIR R4 Bundle), each answered with accepted / corrected /
duplicate / stale, or 422 with every problem's field, rule and value. A hospital token may only
submit its own facility's visits."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hssk_contracts import codec, topics
from hssk_contracts.events import Source, SourceFormat, VisitWarning
from hssk_contracts.visit import Visit
from hssk_ingest_emr import handlers
from hssk_ingest_emr.domain import qd130
from hssk_ingest_emr.domain.parsed import Parsed
from hssk_ingest_emr.entrypoints.decoding import PARSERS
from hssk_ingest_emr.ports import ReceiptStore
from hssk_kit.auth import Principal, require_roles
from hssk_kit.bus import Publish, Rejected
from hssk_kit.http import error_response, problem_response, responses
from hssk_kit.http_errors import ProblemItem

Hospital = Annotated[Principal, require_roles("hospital")]
ReceiptStatus = Literal["accepted", "corrected", "duplicate", "stale"]
STATUS: dict[str, ReceiptStatus] = {
    "new": "accepted",
    "correction": "corrected",
    "duplicate": "duplicate",
    "stale": "stale",
}
MAX_BYTES = 5 * 1024 * 1024
MEDIA_TYPES = {  # what each bundle route reads, and what a hospital may label it
    topics.EMR_VISIT_XML130.name: ("application/xml", "text/xml"),
    topics.EMR_VISIT_FHIR.name: ("application/fhir+json", "application/json"),
}


BODIES = {  # the request bodies the bundle routes read themselves, as the OpenAPI says them
    topics.EMR_VISIT_XML130.name: {
        "type": "string",
        "description": "a GIAMDINHHS file: THONGTINDONVI, then one HOSO (or a day's several) "
        "of FILEHOSO entries, each a LOAIHOSO (XML1 … XML15) and its base64 NOIDUNGFILE "
        "table; at most 5 MiB",
    },
    topics.EMR_VISIT_FHIR.name: {
        "type": "object",
        "description": "an HL7 FHIR R4 Bundle (collection or transaction) holding one Encounter, "
        "its Patient, Conditions, Observations, MedicationRequests; at most 5 MiB",
        "required": ["resourceType", "entry"],
        "properties": {"resourceType": {"const": "Bundle"}, "entry": {"type": "array"}},
    },
}


def _body(topic: str) -> dict[str, Any]:
    content = {kind: {"schema": BODIES[topic]} for kind in MEDIA_TYPES[topic]}
    return {"requestBody": {"required": True, "content": content}}


class VisitReceipt(BaseModel):
    status: ReceiptStatus
    event_id: str
    visit_key: str
    warnings: list[VisitWarning]


class PartReceipt(BaseModel):
    """One visit (HOSO) of a QĐ 130 file of several: its receipt, or why it was refused."""

    part: int
    status: ReceiptStatus | Literal["rejected"]
    visit_key: str | None = None
    event_id: str | None = None
    warnings: list[VisitWarning] = []
    problems: list[ProblemItem] = []


class FileReceipt(BaseModel):
    """A QĐ 130 file of several HOSO: each visit accepted or refused on its own (at least one
    accepted; when none is, the answer is a 422 naming every problem under HOSO[i])."""

    status: Literal["file"] = "file"
    visits: list[PartReceipt]


def _problem(p: codec.Problem | dict[str, Any]) -> ProblemItem:
    d = p if isinstance(p, dict) else p.__dict__
    value = d.get("value")
    return ProblemItem(field=d["field"], rule=d["rule"], message=d["message"],
                       value=None if value is None else str(value))  # fmt: skip


def _problems_of(answer: Any) -> list[dict[str, Any]]:
    """The problems a refusal (a 422 problem response) carried."""
    return list(json.loads(bytes(answer.body)).get("problems", []))


def _rejected(problems: list[codec.Problem]) -> Any:
    return problem_response(
        422,
        "visit_rejected",
        [
            {"field": p.field, "rule": p.rule, "message": p.message, "value": p.value}
            for p in problems
        ],
    )


def router(
    *, receipts_store: ReceiptStore, publish: Publish, clock: Callable[[], datetime]
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["visits"])
    documented = responses(403, 413, 415, 422)

    async def accept(
        visit: Visit,
        hospital: Principal,
        fmt: SourceFormat,
        parsed: Parsed | None = None,
    ) -> Any:
        if visit.facility_code != hospital.facility:
            raise HTTPException(
                403,
                detail={
                    "error": "forbidden",
                    "message": f"token is for facility {hospital.facility}, "
                    f"visit is from {visit.facility_code}",
                },
            )
        try:
            outcome = await handlers.on_visit(
                visit,
                Source(format=fmt),
                now=clock(),
                receipts_store=receipts_store,
                publish=publish,
                parser_warnings=parsed.warnings if parsed else (),
                sensitive_tables=parsed.sensitive_tables if parsed else None,
            )
        except Rejected as exc:
            return _rejected(exc.problems)
        return VisitReceipt(
            status=STATUS[outcome.decision],
            event_id=outcome.event_id,
            visit_key=visit.key,
            warnings=outcome.warnings,
        )

    async def body_of(request: Request) -> bytes:
        raw = await request.body()
        if len(raw) > MAX_BYTES:
            raise HTTPException(
                413, detail={"error": "payload_too_large", "message": f"at most {MAX_BYTES} bytes"}
            )
        return raw

    @api.post("/visits", status_code=202, response_model=VisitReceipt, responses=documented)
    async def submit_visit(visit: Visit, hospital: Hospital, request: Request) -> Any:
        unknown = codec.unknown_fields(Visit, await request.json())
        if unknown:
            return _rejected(unknown)
        return await accept(visit, hospital, "http-json")

    async def submit_bundle(request: Request, hospital: Principal, topic: str) -> Any:
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind not in MEDIA_TYPES[topic]:
            wanted = " or ".join(MEDIA_TYPES[topic])
            return error_response(415, "unsupported_media_type", f"send Content-Type: {wanted}")
        fmt, parse = PARSERS[topic]  # the very parsers the Kafka consumer uses
        raw, now = await body_of(request), datetime.now(UTC)
        parts = qd130.split(raw) if topic == topics.EMR_VISIT_XML130.name else [raw]
        if len(parts) > 1:
            return await accept_file([parse(p, received_at=now) for p in parts], hospital, fmt)
        parsed = parse(raw, received_at=now)
        if parsed.problems or parsed.visit is None:
            return _rejected(parsed.problems)
        return await accept(parsed.visit, hospital, fmt, parsed)

    async def accept_file(every: list[Parsed], hospital: Principal, fmt: SourceFormat) -> Any:
        """A file of several visits: all the token's facility's, or none is taken; then each
        accepted or refused on its own."""
        for parsed in every:
            if parsed.visit is not None and parsed.visit.facility_code != hospital.facility:
                message = (f"token is for facility {hospital.facility}, the file holds a visit "
                           f"from {parsed.visit.facility_code}")  # fmt: skip
                raise HTTPException(403, detail={"error": "forbidden", "message": message})
        receipts = []
        for index, parsed in enumerate(every):
            if parsed.visit is None or parsed.problems:
                problems = [_problem(p) for p in parsed.problems]
            else:
                answer = await accept(parsed.visit, hospital, fmt, parsed)
                if isinstance(answer, VisitReceipt):
                    receipts.append(PartReceipt(part=index, **answer.model_dump()))
                    continue
                problems = [_problem(p) for p in _problems_of(answer)]
            receipts.append(PartReceipt(part=index, status="rejected", problems=problems))
        if all(r.status == "rejected" for r in receipts):
            return problem_response(422, "visit_rejected", [
                {**p.model_dump(), "field": f"HOSO[{r.part}].{p.field}"}
                for r in receipts for p in r.problems
            ])  # fmt: skip
        return JSONResponse(status_code=202, content=FileReceipt(visits=receipts).model_dump())

    @api.post(
        "/visits/qd130",
        status_code=202,
        response_model=VisitReceipt | FileReceipt,
        responses=documented,
        summary="Submit a QĐ 130/4750/3176 GIAMDINHHS XML file: one visit (HOSO), or a day's "
        "batch whose visits are each accepted or refused on their own",
        openapi_extra=_body(topics.EMR_VISIT_XML130.name),
    )
    async def submit_qd130(hospital: Hospital, request: Request) -> Any:
        return await submit_bundle(request, hospital, topics.EMR_VISIT_XML130.name)

    @api.post(
        "/visits/fhir",
        status_code=202,
        response_model=VisitReceipt,
        responses=documented,
        summary="Submit an HL7 FHIR R4 Bundle (one visit); refusals are OperationOutcomes",
        openapi_extra=_body(topics.EMR_VISIT_FHIR.name),
    )
    async def submit_fhir(hospital: Hospital, request: Request) -> Any:
        return await submit_bundle(request, hospital, topics.EMR_VISIT_FHIR.name)

    return api
