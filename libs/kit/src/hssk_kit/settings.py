"""The settings base every service extends with its own env prefix (IDENTITY_, RECORDS_, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hssk_contracts.schemas import DEFAULT_PUBLIC_URL

DEV_KEY_MARKER = ".hssk/"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["dev", "test", "production"] = "dev"
    kafka_bootstrap: str = "127.0.0.1:19092"
    mongo_url: str = "mongodb://127.0.0.1:27018/"
    mongo_db: str = "hssk"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    # JWT verification: a PEM public key file (dev) or a JWKS URL (production).
    jwt_public_key_file: str | None = ".hssk/keys/dev-issuer.pub.pem"
    jwks_url: str | None = None
    jwt_issuer: str = "hssk-dev-issuer"
    jwt_audience: str = "hssk"
    jwt_algorithms: tuple[str, ...] = ("RS256", "ES256")
    consumer_batch: int = 500
    # Where each service's staff pages are served, for the links between them (absent: this
    # host, as behind the city's ingress). The dev stack, one port a service, sets all four.
    pages_site: dict[str, str] = {}
    # The platform's address as integrators reach it: the event schemas are served under it
    # (/schemas/<topic>.json) and every event's ce_dataschema header names them there.
    public_url: str = DEFAULT_PUBLIC_URL

    @model_validator(mode="after")
    def _refuse_dev_defaults_in_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        problems = []
        if self.jwks_url is None:
            problems.append("jwks_url must be set (the dev key file is not for production)")
        if self.jwt_issuer == "hssk-dev-issuer":
            problems.append("jwt_issuer must name the production issuer")
        if "127.0.0.1" in self.mongo_url or "localhost" in self.mongo_url:
            problems.append("mongo_url points at a local dev database")
        if "127.0.0.1" in self.public_url or "localhost" in self.public_url:
            problems.append("public_url names the local dev stack")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self
