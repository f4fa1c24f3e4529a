"""HTTP entrypoint of the master citizen index: resolve, read persons, the review queue, merges.

Operators act on the whole city; a ward officer only on reviews and persons of their ward.
Every read of a person and every action is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hssk_contracts import identifiers as ids
from hssk_contracts.events import PersonSnapshot
from hssk_contracts.visit import Identifier, PartialDate, Sex
from hssk_identity import handlers, merges
from hssk_identity.domain import dates
from hssk_identity.domain.review import Resolution as ReviewResolution
from hssk_identity.handlers import Index
from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal, require_roles
from hssk_kit.bus import Publish
from hssk_kit.http import problem_response

Resolver = Annotated[Principal, require_roles("operator", "hospital")]
Officer = Annotated[Principal, require_roles("operator", "ward_officer")]
Operator = Annotated[Principal, require_roles("operator")]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["cccd", "bhyt", "cmnd", "passport"]
    value: Annotated[str, Field(min_length=1, max_length=32)]


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)
    name: Annotated[str, Field(min_length=1, max_length=255)]
    birth_date: PartialDate | None = None
    sex: Sex = "unknown"
    phone: Annotated[str, Field(pattern=r"^\+?\d{8,15}$")] | None = None
    commune_code: Annotated[str, Field(pattern=r"^\d{5}$")] | None = None
    address: Annotated[str, Field(max_length=500)] | None = None
    create: bool = False


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: ReviewResolution
    link_to: str | None = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    survivor_id: str
    merged_id: str


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


def router(
    *, index: Index, publish: Publish, audit: AuditLog, clock: Callable[[], datetime]
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["identity"])

    @api.post("/resolve")
    async def resolve(body: ResolveRequest, who: Resolver) -> Any:
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
        # Each call is its own cause: a repeat finds the person (by identifier or demographics)
        # and answers "matched", rather than replaying the first call's "created".
        cause = f"resolve:{uuid.uuid4()}"
        found = await handlers.resolve(
            query,
            create=body.create,
            cause=cause,
            source=f"{who.role}:{who.subject}",
            now=clock(),
            index=index,
            publish=publish,
        )
        await audit.append(
            AuditEntry(
                actor=who.subject,
                role=who.role,
                action="identity.resolve",
                person_id=found.person_id,
                purpose="identification",
                outcome="allowed",
                facility=who.facility,
                detail=found.decision,
            )
        )
        return {
            "person_id": found.person_id,
            "decision": found.decision,
            "score": found.score,
            "weights": found.weights,
            "review_id": found.review_id,
            "candidates": [asdict(c) for c in found.candidates],
        }

    @api.get("/persons/{person_id}", response_model=PersonSnapshot)
    async def get_person(person_id: str, who: Officer) -> PersonSnapshot:
        person = await index.persons.get(person_id)
        allowed = person is not None and (who.role == "operator" or person.commune_code == who.ward)
        await audit.append(
            AuditEntry(
                actor=who.subject,
                role=who.role,
                action="person.read",
                person_id=person_id,
                purpose="identity administration",
                outcome="not_found" if person is None else ("allowed" if allowed else "denied"),
            )
        )
        if person is None:
            raise HTTPException(
                404, detail={"error": "not_found", "message": f"no person {person_id}"}
            )
        if not allowed:
            raise HTTPException(
                403,
                detail={
                    "error": "forbidden",
                    "message": f"person {person_id} is not in ward {who.ward}",
                },
            )
        return person.snapshot()

    @api.get("/review-queue")
    async def review_queue(who: Officer) -> dict[str, Any]:
        ward = None if who.role == "operator" else who.ward
        items = await index.reviews.list_open(ward)
        return {"ward": ward, "count": len(items), "items": [asdict(r) for r in items]}

    @api.post("/review-queue/{review_id}/resolve")
    async def resolve_review(review_id: str, body: ReviewDecision, who: Officer) -> Any:
        review = await index.reviews.get(review_id)
        if review is not None and who.role == "ward_officer" and review.ward != who.ward:
            raise HTTPException(
                403,
                detail={
                    "error": "forbidden",
                    "message": f"review {review_id} is not in ward {who.ward}",
                },
            )
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

    @api.post("/merges")
    async def merge(body: MergeRequest, who: Operator) -> Any:
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

    @api.delete("/merges/{merged_id}")
    async def unmerge(merged_id: str, who: Operator) -> Any:
        restored = await merges.unmerge(
            merged_id, by=who.subject, role=who.role, index=index, publish=publish, audit=audit
        )
        return restored.snapshot().model_dump(mode="json")

    return api


async def refused(_: Request, exc: Exception) -> JSONResponse:
    """An action the index's state does not allow (merged already, not merged, ...): 409."""
    return JSONResponse(status_code=409, content={"error": "refused", "message": str(exc)})
