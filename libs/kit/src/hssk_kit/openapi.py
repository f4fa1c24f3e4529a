"""The OpenAPI document says what is true on the wire: bearer-JWT security and the roles of each
route (read from its role dependency, so they are declared once), 401/403 on every guarded route,
413/415 where a body is taken, and the real shape of a 422; every error answer as the RFC 9457
problem (application/problem+json) it is on the wire."""

from __future__ import annotations

from typing import Any, cast

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from hssk_kit.fhir_errors import FHIR_JSON, OperationOutcomes
from hssk_kit.http_errors import MEANINGS, PROBLEM_JSON, ErrorBody, ProblemsBody

SCHEME = "bearerJWT"
# What a FHIR path answers instead of a problem: the parts of a FHIR R4 OperationOutcome that
# hssk_kit.fhir_errors writes (FHIR's own definitions are the full truth).
OPERATION_OUTCOME = {
    "type": "object",
    "description": "FHIR R4 OperationOutcome (http://hl7.org/fhir/R4/operationoutcome.html)",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"enum": ["fatal", "error", "warning", "information"]},
                    "code": {"type": "string", "description": "FHIR issue type, e.g. not-found"},
                    "details": {"type": "object", "description": "our `error` code, coded"},
                    "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
REF = "#/components/schemas/{model}"


def _guard_of(dependant: Dependant) -> tuple[bool, tuple[str, ...]]:
    """(authenticated?, roles) from the route's dependencies, however deeply nested."""
    authenticated = False
    roles: tuple[str, ...] = ()
    for dep in dependant.dependencies:
        found = getattr(dep.call, "roles", None)
        if found is not None:
            authenticated, roles = True, tuple(found)
        elif getattr(dep.call, "authenticates", False):
            authenticated = True
        nested_auth, nested_roles = _guard_of(dep)
        authenticated = authenticated or nested_auth
        roles = roles or nested_roles
    return authenticated, roles


def _add(operation: dict[str, Any], status: int) -> None:
    description, model = MEANINGS[status]
    content = {PROBLEM_JSON: {"schema": {"$ref": REF.format(model=model.__name__)}}}
    operation["responses"].setdefault(str(status), {"description": description, "content": content})


def _as_problems(operation: dict[str, Any], fhir: bool) -> None:
    """Every error answer is documented as what goes on the wire: application/problem+json,
    or on a FHIR path an OperationOutcome (hssk_kit.fhir_errors)."""
    for status, answer in operation["responses"].items():
        content = answer.get("content", {})
        if status[0] not in "45":
            continue
        found = content.pop("application/json", None) or content.pop(PROBLEM_JSON, None)
        if fhir:
            content[FHIR_JSON] = {"schema": {"$ref": REF.format(model="OperationOutcome")}}
        elif found is not None:
            content[PROBLEM_JSON] = found


def _describe(route: Any, operation: dict[str, Any], fhir: bool) -> None:
    authenticated, roles = _guard_of(route.dependant)
    if authenticated:
        operation["security"] = [{SCHEME: []}]
        _add(operation, 401)
    else:  # said, not left out: no token is asked (a QR code, a share link, a signed receipt)
        operation["security"] = []
    if roles:
        operation["x-roles"] = sorted(roles)
        _add(operation, 403)
    if route.body_field is not None:
        _add(operation, 413)
        _add(operation, 415)
    if "422" in operation["responses"]:
        operation["responses"]["422"] = {
            "description": MEANINGS[422][0],
            "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="ProblemsBody")}}},
        }
    _as_problems(operation, fhir)


def operation_id(route: APIRoute) -> str:
    """A route's operationId: its handler's name (`resolve`, `read_record`), stable across
    path and method changes, instead of FastAPI's `resolve_v1_resolve_post`."""
    return route.name


def _unique_operation_ids(schema: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            if (taken := seen.setdefault(operation["operationId"], where)) != where:
                raise ValueError(f"operationId {operation['operationId']!r}: {taken} and {where}")


def _fhir_paths(app: FastAPI) -> tuple[str, ...]:
    """The path prefixes whose errors leave as OperationOutcomes (the middleware's own)."""
    found: list[str] = []
    for middleware in app.user_middleware:
        if middleware.cls is OperationOutcomes:
            found += cast(tuple[str, ...], middleware.kwargs["prefixes"])
    return tuple(found)


def _build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {})
    models = components.setdefault("schemas", {})
    for model in (ErrorBody, ProblemsBody):
        found = model.model_json_schema(ref_template=REF)
        models.update(found.pop("$defs", {}))
        models[model.__name__] = found
    for name in ("HTTPValidationError", "ValidationError"):
        models.pop(name, None)
    schema["servers"] = [{"url": "/", "description": "the service this document came from"}]
    components["securitySchemes"] = {
        SCHEME: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    fhir_paths = _fhir_paths(app)
    if fhir_paths:
        models["OperationOutcome"] = OPERATION_OUTCOME
    for route in iter_route_contexts(app.routes):  # included routers' routes, with prefixes
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    fhir = str(route.path_format).startswith(fhir_paths)
                    _describe(route, operation, fhir)
    _unique_operation_ids(schema)
    return schema


def document(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
