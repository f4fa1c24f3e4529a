"""Routes that touch health data say once who may call them and what they do (`audited`). A
caller of another role gets 403 and the refusal is audited against the person the path names,
so refused attempts reach the citizen's log too. Each answered call of such a route is counted,
and so is each audit entry: `hssk audit check` (and an alert) compare the two."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hssk_contracts.codes import ENTITY_ID
from hssk_kit import metrics
from hssk_kit.audit import AuditEntry
from hssk_kit.auth import CurrentPrincipal, Principal, Role

# Answers after which an audit entry must exist: data shown, or an attempt refused or missed.
MUST_AUDIT = frozenset({200, 201, 202, 204, 403, 404, 409, 410, 429})
_PERSON = re.compile(ENTITY_ID)


def audited(*roles: Role, action: str, refusals_only: bool = False) -> Any:
    """A dependency answering the caller's Principal when its role is among `roles`. With
    `refusals_only` an allowed answer needs no entry (a citizen reading their own access log
    would otherwise add to it with every look); refusals are audited all the same."""

    async def dependency(request: Request, principal: CurrentPrincipal) -> Principal:
        state = request.scope.setdefault("state", {})
        state["audit_action"] = action
        state["audit_refusals_only"] = refusals_only
        if principal.role in roles:
            return principal
        named = request.path_params.get("person_id")
        person_id = named if isinstance(named, str) and _PERSON.fullmatch(named) else None
        await request.app.state.audit.append(
            AuditEntry(
                actor=principal.subject,
                role=principal.role,
                action=action,
                person_id=person_id,
                purpose="not permitted",
                outcome="denied",
                facility=principal.facility,
                ward=principal.ward,
                detail=f"role {principal.role} may not {action}",
            )
        )
        raise HTTPException(
            403,
            detail={
                "error": "forbidden",
                "message": f"role {principal.role} may not do this; needs one of {list(roles)}",
            },
        )

    dependency.roles = roles  # type: ignore[attr-defined]  # read by hssk_kit.openapi
    return Depends(dependency)


class AuditCount:
    """Counts answered calls of audited routes (`hssk_audit_expected_total`), by the action the
    route's dependency named, for the comparison with `hssk_audit_entries_total`."""

    def __init__(self, app: ASGIApp, service: str):
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        state = scope.setdefault("state", {})  # the route's dependency names its action here

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, noting)
        action = state.get("audit_action")
        refusal = status >= 400 or not state.get("audit_refusals_only")
        if action and status in MUST_AUDIT and refusal:
            metrics.AUDIT_EXPECTED.labels(self.service, action).inc()
