"""JWT verification (explicit algorithm allow-list; iss, aud, exp checked) and role checks.

Roles: citizen, doctor (facility), ward_officer (ward), leader, hospital (facility), operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import jwt
from fastapi import Depends, HTTPException, Request

from hssk_kit.settings import ServiceSettings

Role = Literal["citizen", "doctor", "ward_officer", "leader", "hospital", "operator"]
ROLES: frozenset[str] = frozenset(Role.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    facility: str | None = None
    ward: str | None = None
    person_id: str | None = None


class TokenVerifier:
    def __init__(self, settings: ServiceSettings):
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._algorithms = list(settings.jwt_algorithms)
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._key: bytes | None = None
        if self._jwks is None:
            if not settings.jwt_public_key_file:
                raise ValueError("set jwks_url or jwt_public_key_file to verify tokens")
            self._key_file = Path(settings.jwt_public_key_file)

    def _signing_key(self, token: str):
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        if self._key is None:  # read lazily: the dev issuer may create the key after we start
            self._key = self._key_file.read_bytes()
        return self._key

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, OSError) as exc:
            raise PermissionError(f"invalid token: {exc}") from None
        role = claims.get("role")
        if role not in ROLES:
            raise PermissionError(f"invalid token: unknown role {role!r}")
        if role in ("doctor", "hospital") and not claims.get("facility"):
            raise PermissionError(f"invalid token: role {role} needs a facility claim")
        if role == "ward_officer" and not claims.get("ward"):
            raise PermissionError("invalid token: role ward_officer needs a ward claim")
        return Principal(
            subject=claims["sub"],
            role=role,
            facility=claims.get("facility"),
            ward=claims.get("ward"),
            person_id=claims.get("person_id"),
        )


def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            401,
            detail={"error": "unauthenticated", "message": "send Authorization: Bearer <token>"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return request.app.state.verifier.verify(token)
    except PermissionError as exc:
        raise HTTPException(
            401,
            detail={"error": "unauthenticated", "message": str(exc)},
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role):
    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                403,
                detail={
                    "error": "forbidden",
                    "message": f"role {principal.role} may not do this; needs one of {list(roles)}",
                },
            )
        return principal

    return Depends(dependency)
