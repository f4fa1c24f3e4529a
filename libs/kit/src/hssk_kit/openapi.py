"""The OpenAPI document says what is true on the wire: bearer-JWT security and the roles of each
route (read from its role dependency, so they are declared once), 401/403 on every guarded route,
413/415 where a body is taken, and the real shape of a 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from hssk_kit.http_errors import MEANINGS, ErrorBody, ProblemsBody

SCHEME = "bearerJWT"
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
    content = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
    operation["responses"].setdefault(str(status), {"description": description, "content": content})


def _describe(route: Any, operation: dict[str, Any]) -> None:
    authenticated, roles = _guard_of(route.dependant)
    if authenticated:
        operation["security"] = [{SCHEME: []}]
        _add(operation, 401)
    if roles:
        operation["x-roles"] = sorted(roles)
        _add(operation, 403)
    if route.body_field is not None:
        _add(operation, 413)
        _add(operation, 415)
    if "422" in operation["responses"]:
        operation["responses"]["422"] = {
            "description": MEANINGS[422][0],
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ProblemsBody")}}},
        }


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
    components["securitySchemes"] = {
        SCHEME: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    for route in iter_route_contexts(app.routes):  # included routers' routes, with prefixes
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    _describe(route, operation)
    return schema


def document(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
