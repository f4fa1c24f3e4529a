"""JWT verification and role checks. A token passes, in this order: compact form, a header with
an allowed alg and no `crit`, the signature, the claim schema (hssk_kit.claims), then PyJWT's
exp/nbf/iat/iss/aud checks. Each refusal is counted in hssk_auth_rejected_total{service, reason}.

A token that passed is remembered (the exact bytes, signature included) for at most five minutes
and never past its exp, so a client's next calls skip the signature check and the thread it runs
in; refusals are never remembered.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from jwt.utils import base64url_decode

from hssk_contracts import text
from hssk_kit import claims
from hssk_kit.claims import ROLES, ClaimsError, Role
from hssk_kit.metrics import AUTH_REJECTED
from hssk_kit.settings import ServiceSettings

__all__ = [
    "REASONS",
    "ROLES",
    "CurrentPrincipal",
    "Principal",
    "Role",
    "TokenRefused",
    "TokenVerifier",
    "current_principal",
    "require_roles",
]

REASONS = (
    "missing",  # no Authorization: Bearer header
    "malformed",  # not a compact JWS, or undecodable header / payload, or two headers
    "header",  # a header parameter we refuse (crit)
    "algorithm",  # alg not in settings.jwt_algorithms (none, HS*, PS*, ...)
    "unknown_key",  # no key of ours can check it (kid not in the JWKS, key of another type)
    "keys_unavailable",  # our key file or JWKS cannot be read: our fault, not the caller's
    "signature",
    "claims",  # the claim schema
    "expired",
    "not_yet_valid",
    "issuer",
    "audience",
)
_BEARER_PLEASE = "send one Authorization: Bearer <token> header"
REMEMBERED_TOKENS, REMEMBERED_SECONDS = 4096, 300.0
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class _UnsupportedHeader(jwt.InvalidTokenError):
    pass


# Most specific first: InvalidSignatureError is a DecodeError, a connection error a client error.
_REASON_OF: tuple[tuple[type[Exception], str], ...] = (
    (ClaimsError, "claims"),
    (_UnsupportedHeader, "header"),
    (jwt.InvalidSignatureError, "signature"),
    (jwt.InvalidAlgorithmError, "algorithm"),
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidIssuerError, "issuer"),
    (jwt.InvalidAudienceError, "audience"),
    (jwt.PyJWKClientConnectionError, "keys_unavailable"),
    (jwt.PyJWKSetError, "keys_unavailable"),
    (OSError, "keys_unavailable"),
    (jwt.PyJWKClientError, "unknown_key"),
    (jwt.InvalidKeyError, "unknown_key"),
    (jwt.MissingRequiredClaimError, "claims"),
    (jwt.InvalidIssuedAtError, "claims"),
    (jwt.PyJWTError, "malformed"),  # DecodeError, and the rest (a kid that is not text, ...)
)


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    facility: str | None = None
    ward: str | None = None
    person_id: str | None = None


class TokenRefused(PermissionError):
    """A refused token; `reason` is one of REASONS."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class _SchemaFirstJWT(jwt.PyJWT):
    """PyJWT holding the payload to the claim schema before its own claim checks, which would
    int() a string exp. (`_decode_payload` is PyJWT's documented hook for subclasses.)"""

    def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
        try:
            payload = json.loads(decoded["payload"], object_pairs_hook=_unique_names)
        except (ValueError, RecursionError) as exc:
            raise jwt.DecodeError(f"the payload is not JSON: {exc}") from None
        if not isinstance(payload, dict):
            raise jwt.DecodeError("the payload is not a JSON object")
        # PyJWT goes on to check exp, nbf, iat, iss and aud of the checked claims only.
        return claims.check(payload).model_dump(exclude_none=True)


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two values for one claim leave which one counts to the parser: refuse the ambiguity.
    found = dict(pairs)
    if len(found) != len(pairs):
        twice = next(name for name, n in Counter(name for name, _ in pairs).items() if n > 1)
        raise ValueError(f"{twice!r} appears twice in one object")
    return found


def _header(token: str) -> dict[str, Any]:
    if not _COMPACT.fullmatch(token):
        raise jwt.DecodeError("not a compact JWS (three base64url parts joined by dots)")
    try:
        header = json.loads(base64url_decode(token.partition(".")[0]))
    except (ValueError, RecursionError):
        raise jwt.DecodeError("the header is not base64url-encoded JSON") from None
    if not isinstance(header, dict):
        raise jwt.DecodeError("the header is not a JSON object")
    return header


def _service_of(settings: ServiceSettings) -> str:
    # Each service's settings carry its env prefix: INGEST_EMR_ -> ingest-emr.
    prefix = str(settings.model_config.get("env_prefix") or "")
    return prefix.strip("_").lower().replace("_", "-") or "unknown"


class TokenVerifier:
    def __init__(self, settings: ServiceSettings, service: str | None = None):
        self.service = service or _service_of(settings)
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._algorithms = list(settings.jwt_algorithms)
        self._jwt = _SchemaFirstJWT()
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._key: Any = None
        self._known: OrderedDict[str, tuple[Principal, float, float]] = OrderedDict()
        if self._jwks is None:
            if not settings.jwt_public_key_file:
                raise ValueError("set jwks_url or jwt_public_key_file to verify tokens")
            self._key_file = Path(settings.jwt_public_key_file)
        for reason in REASONS:  # every series exists from the start, so rate() sees the first
            AUTH_REJECTED.labels(self.service, reason)

    def authenticate(self, authorization: list[str]) -> Principal:
        """The principal of the request's Authorization header values (exactly one expected)."""
        if len(authorization) > 1:
            raise self.refuse("malformed", f"{_BEARER_PLEASE}, not {len(authorization)}")
        scheme, _, token = (authorization or [""])[0].partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise self.refuse("missing", _BEARER_PLEASE)
        return self.verify(token)

    def known(self, authorization: list[str]) -> Principal | None:
        """The principal of a token verified lately and still valid, else None (then call
        authenticate, which may block: a signature check, a JWKS fetch)."""
        if len(authorization) != 1:
            return None
        token = authorization[0].partition(" ")[2]
        remembered = self._known.get(token)
        if remembered is None:
            return None
        principal, not_before, until = remembered
        if not not_before <= time.time() < until:
            del self._known[token]
            return None
        return principal

    def verify(self, token: str) -> Principal:
        try:
            payload = self._verified_claims(token)
        except (jwt.PyJWTError, ClaimsError, OSError) as exc:
            reason = next(r for kind, r in _REASON_OF if isinstance(exc, kind))
            # PyJWT's wording for a key of another type is unreadable (it shows a generator).
            why = (
                "its alg does not fit our key" if isinstance(exc, jwt.InvalidKeyError) else str(exc)
            )
            raise self.refuse(reason, f"invalid token: {why}") from None
        principal = Principal(
            subject=payload["sub"],
            role=payload["role"],
            facility=payload.get("facility"),
            ward=payload.get("ward"),
            person_id=payload.get("person_id"),
        )
        self._remember(token, principal, payload)
        return principal

    def _remember(self, token: str, principal: Principal, payload: dict[str, Any]) -> None:
        now = time.time()
        until = min(float(payload.get("exp", now)), now + REMEMBERED_SECONDS)
        self._known[token] = (principal, float(payload.get("nbf", now)), until)
        while len(self._known) > REMEMBERED_TOKENS:
            self._known.popitem(last=False)

    def refuse(self, reason: str, message: str) -> TokenRefused:
        """Count a refusal and return the error to raise (its message made safe to echo)."""
        AUTH_REJECTED.labels(self.service, reason).inc()
        return TokenRefused(reason, text.shown(message) or reason)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        header = _header(token)
        if "crit" in header:  # no extension of ours is critical; RFC 7515 says refuse the unknown
            raise _UnsupportedHeader("the crit header parameter is not supported")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise jwt.InvalidAlgorithmError(
                f"alg {alg!r} is not allowed (allowed: {', '.join(self._algorithms)})"
            )
        try:
            return self._jwt.decode(
                token,
                self._signing_key(token),
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
            )
        except TypeError:  # PyJWT's answer when our key object is of another family than alg
            raise jwt.InvalidKeyError("key of another type") from None

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        if self._key is None:  # read lazily: the dev issuer may create the key after we start
            pem = self._key_file.read_bytes()
            try:  # parsed once, not on every call
                self._key = load_pem_public_key(pem)
            except ValueError:  # not a public key PEM: PyJWT says what is wrong with it
                return pem
        return self._key


SESSION_COOKIE = "hssk_session"  # a citizen's session on the platform's own pages (HttpOnly)


async def current_principal(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    authorization = request.headers.getlist("authorization")
    if not authorization and (session := request.cookies.get(SESSION_COOKIE)):
        # The pages' session cookie (HttpOnly, SameSite=Strict: never sent by another site's
        # page) carries the same token an app sends as a bearer header, checked the same way.
        authorization = [f"Bearer {session}"]
    try:
        known = verifier.known(authorization)
        return known if known else await run_in_threadpool(verifier.authenticate, authorization)
    except PermissionError as exc:
        raise HTTPException(
            401,
            detail={"error": "unauthenticated", "message": str(exc)},
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


current_principal.authenticates = True  # type: ignore[attr-defined]  # read by hssk_kit.openapi
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

    dependency.roles = roles  # type: ignore[attr-defined]  # read by hssk_kit.openapi
    return Depends(dependency)
