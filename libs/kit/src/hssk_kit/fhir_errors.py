"""Errors of FHIR routes as FHIR says them: an OperationOutcome (`application/fhir+json`), the
same status. Every error a service answers is first an RFC 9457 problem (http_errors.py),
whoever raised it (the boundary guard, a role check, a handler); this middleware rewrites those
of the paths it is given, so a FHIR client reads issues it understands and nothing else changes.

Each problem of a 422 becomes an issue naming its field (`expression`) and rule; any other
error one issue whose code is the FHIR issue type of its status."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hssk_kit.http_errors import PROBLEM_JSON

FHIR_JSON = "application/fhir+json"
ERROR_SYSTEM = "https://hssk.example/fhir/CodeSystem/error"  # our `error` codes, as codings
# The FHIR R4 issue type (http://hl7.org/fhir/issue-type) each status stands for.
ISSUE_TYPES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               406: "not-supported", 409: "conflict", 410: "deleted", 413: "too-long",
               415: "not-supported", 422: "invalid", 429: "throttled",
               503: "transient"}  # fmt: skip
RULE_TYPES = {"missing": "required", "json_invalid": "structure", "invalid_json": "structure"}


def operation_outcome(problem: dict[str, Any]) -> dict[str, Any]:
    """An RFC 9457 problem of ours as a FHIR R4 OperationOutcome."""
    status = int(problem.get("status", 500))
    coding = {"system": ERROR_SYSTEM, "code": str(problem.get("error", "error"))}
    items = problem.get("problems") or []
    if not items:
        only = {
            "severity": "error",
            "code": ISSUE_TYPES.get(status, "exception"),
            "details": {"coding": [coding], "text": str(problem.get("title", ""))},
            "diagnostics": str(problem.get("detail", "")),
        }
        return {"resourceType": "OperationOutcome", "issue": [only]}
    issues = []
    for item in items:
        said = item.get("message") or ""
        if item.get("message_en"):
            said = f"{said} ({item['message_en']})"
        issue: dict[str, Any] = {
            "severity": "error",
            "code": RULE_TYPES.get(str(item.get("rule")), "invalid"),
            "details": {"coding": [coding], "text": str(item.get("rule", ""))},
            "diagnostics": said or str(problem.get("detail", "")),
        }
        if item.get("field") and item["field"] != "$":
            issue["expression"] = [str(item["field"])]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


class OperationOutcomes:
    """ASGI middleware: problems answered on a path under one of `prefixes` leave as
    OperationOutcomes."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]):
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def rewriting(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(PROBLEM_JSON.encode()):
                    held.append(message)  # the body decides; wait for it
                    return
            elif held:
                held.append(message)
                if message.get("more_body"):
                    return
                await _send_outcome(held, send)
                return
            await send(message)

        await self.app(scope, receive, rewriting)


async def _send_outcome(held: list[Message], send: Send) -> None:
    start, body = held[0], b"".join(m.get("body", b"") for m in held[1:])
    outcome = json.dumps(operation_outcome(json.loads(body)), ensure_ascii=False).encode()
    headers = [(k, v) for k, v in start.get("headers", [])
               if k.lower() not in (b"content-type", b"content-length")]  # fmt: skip
    headers += [(b"content-type", FHIR_JSON.encode()),
                (b"content-length", str(len(outcome)).encode())]  # fmt: skip
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": outcome})
