"""HTTP entrypoint of the master citizen index: resolve, read persons, the review queue, merges.

Operators act on the whole city; a ward officer only on reviews and persons of their ward.
Every read of a person and every action is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts import identifiers as ids
from hssk_contracts.codes import CommuneCode, EntityId, PersonId
from hssk_contracts.events import PersonSnapshot
from hssk_contracts.visit import Identifier, PartialDate, PersonName, Sex
from hssk_identity import handlers, lookups, merges
from hssk_identity.domain import dates
from hssk_identity.domain.review import Resolution as ReviewResolution
from hssk_identity.handlers import Index
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.bus import Publish
from hssk_kit.guard import audited
from hssk_kit.http import error_response, problem_response, responses

Resolver = Annotated[Principal, audited("operator", "hospital", action="identity.resolve")]
PersonReader = Annotated[Principal, audited("operator", "ward_officer", action="person.read")]
QueueReader = Annotated[Principal, audited("operator", "ward_officer", action="review.read")]
Reviewer = Annotated[Principal, audited("operator", "ward_officer", action="review.resolve")]
Merger = Annotated[Principal, audited("operator", action="person.merge")]
Unmerger = Annotated[Principal, audited("operator", action="person.unmerge")]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["cccd", "bhyt", "cmnd", "passport"]
    value: Annotated[str, Field(min_length=1, max_length=32)]


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)
    name: PersonName
    birth_date: PartialDate | None = None
    sex: Sex = "unknown"
    phone: (
        Annotated[
            str,
            Field(
                pattern=r"^\+?[0-9][0-9 ().-]{6,22}[0-9]$",
                description="as written: '0912 345 678', '+84 912 345 678'; compared in E.164",
            ),
        ]
        | None
    ) = None
    commune_code: CommuneCode | None = None
    address: Annotated[str, Field(max_length=500)] | None = None
    create: bool = Field(
        default=False,
        description="true registers (a reception registering its own patient): an unknown "
        "person is created, and unknown identifiers are linked with the caller as their "
        "provenance (a hospital's only to its own patients: those it has sent a visit of); "
        "false only looks up and never changes the index",
    )


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: ReviewResolution
    link_to: PersonId | None = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    survivor_id: PersonId
    merged_id: PersonId


def _identifier_problems(body: ResolveRequest) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for i, ident in enumerate(body.identifiers):
        found = ids.format_problem(ident.type, ids.normalise(ident.type, ident.value))
        if found:
            problems.append(
                {
                    "field": f"identifiers.{i}.value",
                    "rule": found.rule,
                    "message": found.message,
                    "value": ident.value,
                }
            )
    try:
        dates.parse_birth_date(body.birth_date)
    except ValueError as exc:
        problems.append(
            {
                "field": "birth_date",
                "rule": "birth_date_invalid",
                "message": str(exc),
                "value": body.birth_date,
            }
        )
    return problems


ReviewId = Annotated[EntityId, Path()]
NOT_IN_WARD = "no such person in your ward"


def _not_found(message: str) -> HTTPException:
    return HTTPException(404, detail={"error": "not_found", "message": message})


def router(
    *, index: Index, publish: Publish, audit: AuditLog, clock: Callable[[], datetime]
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["identity"])

    @api.post("/resolve", responses=responses(422))
    async def resolve(body: ResolveRequest, who: Resolver) -> Any:
        """Who is this? Without `create` a lookup that never changes the index; with it a
        registration that links unknown identifiers (with the caller as their source)."""
        problems = _identifier_problems(body)
        if problems:
            return problem_response(422, "invalid_identity_data", problems)
        query = handlers.Query(
            name=body.name,
            birth_date=body.birth_date,
            sex=body.sex,
            phone=body.phone,
            commune_code=body.commune_code,
            address=body.address,
            identifiers=tuple(
                Identifier(type=i.type, value=ids.normalise(i.type, i.value))
                for i in body.identifiers
            ),
        )
        found = await lookups.resolve_for(
            who, query, create=body.create, now=clock(), index=index, publish=publish, audit=audit
        )
        warning = dates.impossibility(body.birth_date)  # registered all the same, said so
        warnings = [{"field": "birth_date", "rule": "birth_date_impossible", "message": warning}]
        warnings = warnings if warning else []
        return {
            "person_id": found.person_id,
            "decision": found.decision,
            "warnings": warnings,
            "score": found.score,
            "weights": found.weights,
            "model": found.model or None,
            "review_id": found.review_id,
            "candidates": [asdict(c) for c in found.candidates],
            "not_linked": found.not_linked,
        }

    @api.get("/persons/{person_id}", response_model=PersonSnapshot, responses=responses(404))
    async def get_person(person_id: Annotated[PersonId, Path()], who: PersonReader) -> Any:
        """A person of the index: any for an operator, those of their ward for a ward officer."""
        person = await lookups.read_person(person_id, who, index=index, audit=audit)
        if person is None:
            raise _not_found(NOT_IN_WARD if who.role == "ward_officer" else "no such person")
        return person

    @api.get("/review-queue")
    async def review_queue(who: QueueReader) -> dict[str, Any]:
        """Open reviews: the city's for an operator, the ward's for a ward officer."""
        items = await lookups.open_reviews(who, index=index, audit=audit)
        ward = None if who.role == "operator" else who.ward
        return {"ward": ward, "count": len(items), "items": [asdict(r) for r in items]}

    @api.post("/review-queue/{review_id}/resolve", responses=responses(404, 409))
    async def resolve_review(review_id: ReviewId, body: ReviewDecision, who: Reviewer) -> Any:
        """Link the reviewed person to a candidate (a merge), or keep them apart."""
        if not await lookups.review_in_scope(review_id, who, index=index, audit=audit):
            raise _not_found("no such review in your ward")
        done = await merges.resolve_review(
            review_id,
            body.resolution,
            body.link_to,
            by=who.subject,
            role=who.role,
            index=index,
            publish=publish,
            audit=audit,
        )
        return asdict(done)

    @api.post("/merges", responses=responses(404, 409))
    async def merge(body: MergeRequest, who: Merger) -> Any:
        """Merge `merged_id` into `survivor_id`: identifiers and history move to the survivor."""
        survivor = await merges.merge(
            body.survivor_id,
            body.merged_id,
            by=who.subject,
            role=who.role,
            index=index,
            publish=publish,
            audit=audit,
        )
        return survivor.snapshot().model_dump(mode="json")

    @api.delete("/merges/{merged_id}", responses=responses(404, 409))
    async def unmerge(merged_id: Annotated[PersonId, Path()], who: Unmerger) -> Any:
        """Undo a merge: exactly the identifiers and history it moved go back."""
        restored = await merges.unmerge(
            merged_id, by=who.subject, role=who.role, index=index, publish=publish, audit=audit
        )
        return restored.snapshot().model_dump(mode="json")

    return api


async def refused(_: Request, exc: Exception) -> JSONResponse:
    """An action the index does not allow: 404 for what it does not have, else 409."""
    if isinstance(exc, merges.Unknown):
        return error_response(404, "not_found", str(exc))
    return error_response(409, "refused", str(exc))
