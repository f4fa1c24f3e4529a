"""Every HTTP error a service answers, in one shape: an RFC 9457 problem
(`application/problem+json`: `type`, `title`, `status`, `detail`) whose extension members are
our machine-readable `error` code and either `message` or, for bad input, `problems`:
`[{"field", "rule", "message", "value"}]`. `type` is `about:blank` (RFC 9457 4.2.1): the
status says what kind of failure it is, `error` which one. Whatever a caller sent, the answer
can be encoded: echoed values pass through `hssk_contracts.text.shown`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from hssk_contracts.problems import Problem
from hssk_contracts.text import shown

log = logging.getLogger(__name__)


PROBLEM_JSON = "application/problem+json"


class ProblemFields(BaseModel):
    type: str = Field(default="about:blank", description="RFC 9457: no type beyond the status")
    title: str = Field(description="the status's phrase, e.g. Not Found")
    status: int
    detail: str = Field(description="what went wrong, for a person")
    error: str = Field(description="the machine-readable reason, e.g. not_found")


class ErrorBody(ProblemFields):
    message: str = Field(description="the same as `detail` (kept for callers of v1)")


class ProblemItem(BaseModel):
    field: str
    rule: str
    message: str = Field(description="for a person; Vietnamese where a citizen reads it")
    value: str | None = None
    message_en: str | None = Field(default=None, description="English, beside a Vietnamese one")


class ProblemsBody(ProblemFields):
    problems: list[ProblemItem]


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


# RFC 9110's phrases where Python 3.11's http module still has the older ones.
PHRASES = {413: "Content Too Large", 422: "Unprocessable Content"}


def problem(status: int, error: str, detail: str) -> dict[str, Any]:
    """The RFC 9457 members of an error (`error` beside them)."""
    known = status in HTTPStatus._value2member_map_
    title = PHRASES.get(status) or (HTTPStatus(status).phrase if known else "Error")
    return {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "error": error}  # fmt: skip


# What each status means on every route that documents it (`responses(...)`).
MEANINGS: dict[int, tuple[str, type[BaseModel]]] = {
    401: ("no valid bearer token (missing, expired, forged or with bad claims)", ErrorBody),
    403: ("the token's role or scope may not do this", ErrorBody),
    404: ("not found, or not yours to know about", ErrorBody),
    406: ("the representation asked for is not served", ErrorBody),
    409: ("refused in the current state", ErrorBody),
    410: ("merged into another record (after the access check)", ErrorBody),
    413: ("body too large", ErrorBody),
    415: ("wrong Content-Type for this route", ErrorBody),
    422: ("bad input: each problem names the field, the rule and the value", ProblemsBody),
    429: ("too many attempts; wait and retry", ErrorBody),
    503: ("a dependency (Kafka, MongoDB) is unavailable; retry later", ErrorBody),
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route for the given error statuses."""
    return {c: {"description": MEANINGS[c][0], "model": MEANINGS[c][1]} for c in codes}


def _item(p: Problem | dict) -> dict[str, Any]:
    d = p if isinstance(p, dict) else p.__dict__
    item = {
        "field": shown(d.get("field")) or "$",
        "rule": shown(d.get("rule")) or "invalid",
        "message": shown(d.get("message")) or "",
        "value": shown(d.get("value")),
    }
    if d.get("message_en"):
        item["message_en"] = shown(d["message_en"])
    return item


def problem_response(status: int, error: str, problems: Iterable[Problem | dict]) -> JSONResponse:
    items = [_item(p) for p in problems]
    first = f"{items[0]['field']}: {items[0]['message']}" if items else "the input was refused"
    detail = first if len(items) < 2 else f"{first} (+{len(items) - 1} more)"
    body = {**problem(status, error, detail), "problems": items}
    return ProblemResponse(status_code=status, content=body)


def error_response(
    status: int,
    error: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **extensions: str,
) -> JSONResponse:
    """The problem for `error`; `extensions` are further members (e.g. `message_en`)."""
    said = shown(message) or ""
    more = {k: shown(v) for k, v in extensions.items()}
    body = {**problem(status, error, said), "message": said, **more}
    return ProblemResponse(status_code=status, content=body, headers=headers)


def _validation_problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if p != "body"]
        json_error = err["type"] == "json_invalid"  # a syntax error's loc is a character offset
        out.append(
            {
                "field": "$" if json_error or not loc else ".".join(loc),
                "rule": err["type"],
                "message": err["msg"],
                "value": None if json_error else err.get("input"),
            }
        )
    return out


def _wrong_content_type(exc: RequestValidationError) -> bool:
    """FastAPI hands a route declaring a JSON body the raw bytes when the Content-Type is not
    JSON; that is the caller's content type, not its data, that is wrong."""
    return any(
        tuple(e["loc"]) == ("body",) and isinstance(e.get("input"), bytes | bytearray)
        for e in exc.errors()
    )


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def flat_errors(_: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict):
            body = {k: shown(v) if isinstance(v, str) else v for k, v in exc.detail.items()}
            said = str(body.get("message") or body.get("error") or "")
            body = {**problem(exc.status_code, str(body.get("error", "http_error")), said), **body}
            return ProblemResponse(status_code=exc.status_code, content=body, headers=exc.headers)
        return error_response(exc.status_code, "http_error", str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def readable_422(_: Request, exc: RequestValidationError) -> JSONResponse:
        if _wrong_content_type(exc):
            return error_response(
                415, "unsupported_media_type", "send the body as Content-Type: application/json"
            )
        return problem_response(422, "validation_failed", _validation_problems(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception(
            "request failed", extra={"method": request.method, "path": shown(request.url.path)}
        )
        return error_response(500, "internal_error", "the service failed; it has been logged")
