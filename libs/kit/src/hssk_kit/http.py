"""HTTP plumbing shared by every service: the app factory (boundary guard, error handlers,
OpenAPI that says who may call what and how each call can fail), probes and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hssk_contracts import asyncapi, schemas
from hssk_contracts.registry import EVENTS_BY_TOPIC
from hssk_kit.audit import AuditLog
from hssk_kit.guard import AuditCount
from hssk_kit.http_errors import error_response, install_handlers, problem_response, responses
from hssk_kit.http_guard import BoundaryGuard
from hssk_kit.openapi import document, operation_id

__all__ = ["error_response", "install", "new_app", "problem_response", "responses"]

Check = Callable[[], Awaitable[None]]


def new_app(
    title: str, description: str, verifier: object, *, service: str, audit: AuditLog
) -> FastAPI:
    """A service's FastAPI app: OpenAPI at /openapi.json, but no /docs or /redoc pages, whose
    default HTML loads Swagger/ReDoc from a public CDN (nothing here may call outside hosts).
    Requests pass the boundary guard first; routes find the verifier and audit log on state."""
    app = FastAPI(
        title=title,
        version="1.0.0",
        description=description,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.verifier = verifier
    app.state.audit = audit
    app.add_middleware(AuditCount, service=service)
    app.add_middleware(BoundaryGuard)  # added last: runs first
    install_handlers(app)
    document(app)
    return app


def install(
    app: FastAPI,
    checks: Callable[[], Mapping[str, Check]],
    public_url: str = schemas.DEFAULT_PUBLIC_URL,
) -> None:
    """Add /healthz, /readyz, /metrics, and the event streams' descriptions: /asyncapi.json
    and the JSON Schema of each topic at /schemas/<topic>.json, its `$id` the URL it is served
    under on the platform at `public_url` (the URL every event's ce_dataschema names)."""
    served = {
        f"{topic}.json": schemas.render(schemas.schema_for(topic, public_url)).encode()
        for topic in EVENTS_BY_TOPIC
    }
    described = asyncapi.render(asyncapi.document()).encode()

    @app.get("/asyncapi.json", include_in_schema=False)
    async def event_streams() -> Response:
        return Response(described, media_type="application/json")

    @app.get(schemas.SCHEMAS_PATH + "/{name}", include_in_schema=False)
    async def event_schema(name: str) -> Response:
        if name not in served:
            message = f"no schema {name!r}: /asyncapi.json names every topic and its schema"
            return error_response(404, "not_found", message)
        return Response(served[name], media_type="application/schema+json")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks().items():
            try:
                await asyncio.wait_for(check(), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"failing: {type(exc).__name__}: {exc}"[:300]
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(
            status_code=200 if ready else 503,
            content={"status": "ready" if ready else "not_ready", "checks": results},
        )

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
