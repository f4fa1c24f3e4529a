"""The HTTP boundary of every service (kit.http.new_app): whatever a caller sends, the answer is
a 4xx naming what, where and why, never a 500; and the OpenAPI says so."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Path
from pydantic import BaseModel

from hssk_contracts.codes import PersonId
from hssk_kit.audit import InMemoryAuditLog
from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import new_app

PID = "945baa88-04b2-51ed-99d1-c0d6d0c5b885"


class Verifier:
    def known(self, authorization: list[str]) -> Principal | None:
        return None

    def authenticate(self, authorization: list[str]) -> Principal:
        if authorization == ["Bearer citizen"]:
            return Principal(subject="c-1", role="citizen", person_id=PID)
        if authorization != ["Bearer good"]:
            raise PermissionError("invalid token: not good")
        return Principal(subject="op-1", role="operator")


Reader = Annotated[Principal, audited("operator", action="thing.read")]
Citizen = Annotated[Principal, audited("citizen", action="thing.own")]


class Body(BaseModel):
    name: str
    tags: list[str] = []


@pytest.fixture
def audit() -> InMemoryAuditLog:
    return InMemoryAuditLog()


@pytest.fixture
async def client(audit):
    app = new_app("t", "test app", Verifier(), service="test", audit=audit)

    @app.post("/v1/things")
    async def create(body: Body, who: Reader) -> dict:
        return {"name": body.name}

    @app.get("/v1/things/{person_id}")
    async def read(person_id: Annotated[PersonId, Path()], who: Citizen) -> dict:
        return {}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        c.headers["authorization"] = "Bearer good"
        yield c


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (rb'{"name": "Nguy\ud800n"}', "name"),
        (rb'{"name": "ok", "tags": ["a", "\u001d"]}', "tags.1"),
        (b'{"name": "\xc2\x85"}', "name"),
    ],
)
async def test_refused_text_in_a_json_body_is_a_422_naming_the_field(client, raw, field):
    r = await client.post("/v1/things", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == field
    assert r.json()["problems"][0]["rule"] == "text_invalid"


async def test_a_json_syntax_error_is_at_the_root_with_line_and_column(client):
    r = await client.post(
        "/v1/things", content=b'{"name": }', headers={"content-type": "application/json"}
    )
    [problem] = r.json()["problems"]
    assert (r.status_code, problem["field"]) == (422, "$")
    assert "line 1, column 10" in problem["message"]


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_json_route_called_with_another_content_type_is_a_415(client, kind):
    headers = {"content-type": kind} if kind else {}
    r = await client.post("/v1/things", content=b'{"name": "x"}', headers=headers)
    assert (r.status_code, r.json()["error"]) == (415, "unsupported_media_type")


async def test_bytes_that_are_not_utf8_are_a_422_not_a_500(client):
    r = await client.post(
        "/v1/things", content=b'{"name": "\xff"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "UTF-8" in r.json()["problems"][0]["message"]


async def test_an_oversized_body_is_a_413(client):
    big = b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    r = await client.post("/v1/things", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize(
    "path", ["/v1/things/%1D", "/v1/things/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/v1/things/abc"]
)
async def test_a_malformed_path_id_is_a_422(client, path):
    r = await client.get(path, headers={"authorization": "Bearer citizen"})
    assert r.status_code == 422


async def test_a_refusal_by_role_is_audited_against_the_person_named(client, audit):
    r = await client.get(f"/v1/things/{PID}")
    assert r.status_code == 403
    [entry] = audit.entries
    assert (entry.person_id, entry.outcome, entry.action) == (PID, "denied", "thing.own")


async def test_a_bad_token_is_a_401_with_the_bearer_challenge(client):
    r = await client.get(f"/v1/things/{PID}", headers={"authorization": "Bearer bad"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


async def test_the_openapi_documents_security_roles_and_error_shapes(client):
    spec = (await client.get("/openapi.json")).json()
    op = spec["paths"]["/v1/things"]["post"]
    assert op["security"] == [{"bearerJWT": []}] and op["x-roles"] == ["operator"]
    assert {"401", "403", "413", "415", "422"} <= set(op["responses"])
    for status in ("401", "403", "413", "415", "422"):  # as on the wire: RFC 9457 problems
        assert list(op["responses"][status]["content"]) == ["application/problem+json"]
    assert op["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
        "/ProblemsBody"
    )
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert {"type", "title", "status", "detail", "error", "problems"} <= set(
        spec["components"]["schemas"]["ProblemsBody"]["properties"]
    )


async def test_every_error_is_an_rfc_9457_problem_with_our_code_beside(client):
    bad = await client.post(
        "/v1/things",
        content=b'{"name": 7, "tags": [1]}',
        headers={"content-type": "application/json"},
    )
    assert bad.headers["content-type"] == "application/problem+json"
    body = bad.json()
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Unprocessable Content",
        422,
    )
    assert body["error"] == "validation_failed" and len(body["problems"]) == 2
    assert body["detail"].startswith("name: ") and body["detail"].endswith("(+1 more)")
    refused = await client.get(f"/v1/things/{PID}", headers={"authorization": "Bearer bad"})
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 401 and refused.json()["title"] == "Unauthorized"
    assert refused.json()["detail"] == refused.json()["message"]  # v1 callers keep `message`
