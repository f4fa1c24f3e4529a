"""Every service describes the event streams it takes part in: /asyncapi.json (the committed
document) and each topic's JSON Schema at /schemas/<topic>.json, its `$id` the very URL it is
served under on the platform's public address; and a production service refuses to start
naming the local stack as that address."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import ValidationError

from hssk_contracts import asyncapi, schemas
from hssk_kit.audit import InMemoryAuditLog
from hssk_kit.http import install, new_app
from hssk_kit.settings import ServiceSettings

PUBLIC = "https://hssk.example.gov.vn"


async def _client() -> httpx.AsyncClient:
    app = new_app("t", "t", object(), service="t", audit=InMemoryAuditLog())
    install(app, dict, PUBLIC)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC)


async def test_the_asyncapi_document_is_served_as_committed() -> None:
    async with await _client() as http:
        answer = await http.get("/asyncapi.json")
    assert answer.status_code == 200
    assert answer.json() == json.loads(asyncapi.PATH.read_text(encoding="utf-8"))


async def test_each_schema_is_served_under_its_own_id() -> None:
    async with await _client() as http:
        answer = await http.get("/schemas/records.change.v1.json")
        missing = await http.get("/schemas/records.change.v9.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/schema+json"
    served = answer.json()
    assert served["$id"] == f"{PUBLIC}/schemas/records.change.v1.json" == str(answer.url)
    committed = json.loads(schemas.path_for("records.change.v1").read_text(encoding="utf-8"))
    assert {**served, "$id": None} == {**committed, "$id": None}  # the same schema otherwise
    assert missing.status_code == 404
    assert "/asyncapi.json" in missing.json()["message"]  # says where to look


def test_production_refuses_the_local_stack_as_its_public_url() -> None:
    production = {"environment": "production", "jwks_url": "https://sso/jwks",
                  "jwt_issuer": "https://sso",
                  "mongo_url": "mongodb://db-0.mongo:27017/"}  # fmt: skip
    with pytest.raises(ValidationError, match="public_url names the local dev stack"):
        ServiceSettings(**production)
    assert ServiceSettings(**production, public_url=PUBLIC).public_url == PUBLIC
