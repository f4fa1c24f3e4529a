"""HTTP plumbing shared by every service: probes, metrics and readable validation errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException

Check = Callable[[], Awaitable[None]]


def problem_response(status: int, error: str, problems: list[dict]) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": error, "problems": problems})


def new_app(title: str, description: str, verifier: object) -> FastAPI:
    """A service's FastAPI app: OpenAPI at /openapi.json, but no /docs or /redoc pages, whose
    default HTML loads Swagger/ReDoc from a public CDN (nothing here may call outside hosts)."""
    app = FastAPI(
        title=title, version="1.0.0", description=description, docs_url=None, redoc_url=None
    )
    app.state.verifier = verifier
    return app


def install(app: FastAPI, checks: Callable[[], Mapping[str, Check]]) -> None:
    """Add /healthz, /readyz, /metrics and a 422 handler that names field, rule and value."""

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

    @app.exception_handler(HTTPException)
    async def flat_errors(_: Request, exc: HTTPException) -> JSONResponse:
        body = (
            exc.detail
            if isinstance(exc.detail, dict)
            else {"error": "http_error", "message": str(exc.detail)}
        )
        return JSONResponse(status_code=exc.status_code, content=body, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def readable_422(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            value = err.get("input")
            problems.append(
                {
                    "field": ".".join(str(p) for p in err["loc"] if p != "body") or "$",
                    "rule": err["type"],
                    "message": err["msg"],
                    "value": None if isinstance(value, dict | list) else value,
                }
            )
        return problem_response(422, "validation_failed", problems)
