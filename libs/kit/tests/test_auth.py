"""TokenVerifier: a good token of each role passes; every forged, stale or ill-typed one is refused
with PermissionError and counted in hssk_auth_rejected_total under its reason. No network."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI
from prometheus_client import REGISTRY
from pydantic_settings import SettingsConfigDict

from hssk_kit.auth import REASONS, Principal, TokenRefused, TokenVerifier, require_roles
from hssk_kit.settings import ServiceSettings

SERVICE = "kit-test"
DROP = object()  # a claim value meaning "leave this claim out"
PERSON = "945baa88-04b2-51ed-99d1-c0d6d0c5b885"
BOUND = {"citizen": {"person_id": PERSON}, "doctor": {"facility": "01001"}}
BOUND |= {"hospital": {"facility": "79001"}, "ward_officer": {"ward": "26734"}}


@dataclass(frozen=True)
class Keys:
    dev: rsa.RSAPrivateKey  # the issuer's, whose public half the verifier trusts
    dev_public_pem: bytes
    rsa: rsa.RSAPrivateKey  # the attacker's, all freshly generated
    ec256: ec.EllipticCurvePrivateKey
    ec384: ec.EllipticCurvePrivateKey
    ed: ed25519.Ed25519PrivateKey


@pytest.fixture(scope="module")
def keys() -> Keys:
    dev = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = dev.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Keys(
        dev=dev,
        dev_public_pem=public,
        rsa=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec256=ec.generate_private_key(ec.SECP256R1()),
        ec384=ec.generate_private_key(ec.SECP384R1()),
        ed=ed25519.Ed25519PrivateKey.generate(),
    )


@pytest.fixture
def verifier(keys: Keys, tmp_path) -> TokenVerifier:
    (tmp_path / "issuer.pub.pem").write_bytes(keys.dev_public_pem)
    settings = ServiceSettings(jwt_public_key_file=str(tmp_path / "issuer.pub.pem"))
    return TokenVerifier(settings, service=SERVICE)


def claims(role: str = "operator", **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": "hssk-dev-issuer", "aud": "hssk", "sub": f"u-{role}", "role": role}
    base |= {"iat": now, "exp": now + 600, **BOUND.get(role, {}), **changes}
    return {name: value for name, value in base.items() if value is not DROP}


def signed(keys: Keys, payload: dict | None = None, alg: str = "RS256", key=None, **header) -> str:
    return jwt.encode(payload or claims(), key or keys.dev, algorithm=alg, headers=header or None)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def by_hand(header: dict, payload: dict | bytes, signature: bytes = b"", hmac_key=None) -> str:
    """A token PyJWT would not make: any alg, any payload bytes, an HMAC keyed with anything."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(body)}"
    if hmac_key is not None:
        digest = hashlib.sha512 if header["alg"] == "HS512" else hashlib.sha256
        signature = hmac.new(hmac_key, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def resigned(keys: Keys, payload: bytes) -> str:
    """Raw payload bytes, really signed by the issuer: only the payload's form is wrong."""
    return jwt.api_jws.encode(payload, keys.dev, algorithm="RS256")


def attacker_jwk(keys: Keys) -> dict:
    return jwt.algorithms.RSAAlgorithm.to_jwk(keys.rsa.public_key(), as_dict=True)


Forge = Callable[[Keys], str]
HOUR = 3600
BAD: list[tuple[str, str, Forge]] = [
    *[
        (f"alg {a}", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims()))
        for a in ("none", "None", "NONE", "nOnE")
    ],
    *[
        (f"alg {a} signed", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims(), b"sig"))
        for a in ("none", "None", "NONE", "nOnE")
    ],
    (
        "HS256 keyed with the public PEM",
        "algorithm",
        lambda k: by_hand({"alg": "HS256"}, claims(), hmac_key=k.dev_public_pem),
    ),
    (
        "HS512 keyed with the public PEM",
        "algorithm",
        lambda k: by_hand({"alg": "HS512"}, claims(), hmac_key=k.dev_public_pem),
    ),
    ("PS256", "algorithm", lambda k: signed(k, alg="PS256", key=k.rsa)),
    ("RS512", "algorithm", lambda k: signed(k, alg="RS512", key=k.rsa)),
    ("ES384", "algorithm", lambda k: signed(k, alg="ES384", key=k.ec384)),
    ("EdDSA", "algorithm", lambda k: signed(k, alg="EdDSA", key=k.ed)),
    ("alg missing", "algorithm", lambda k: by_hand({"typ": "JWT"}, claims(), b"sig")),
    ("alg a list", "algorithm", lambda k: by_hand({"alg": ["RS256"]}, claims(), b"sig")),
    ("RS256 by an unknown key", "signature", lambda k: signed(k, key=k.rsa)),
    ("RS256 without signature", "signature", lambda k: by_hand({"alg": "RS256"}, claims())),
    ("ES256 by an unknown key", "unknown_key", lambda k: signed(k, alg="ES256", key=k.ec256)),
    (
        "kid a path, HMAC of nothing",
        "algorithm",
        lambda k: by_hand({"alg": "HS256", "kid": "../../dev/null"}, claims(), hmac_key=b""),
    ),
    ("kid a path", "signature", lambda k: signed(k, key=k.rsa, kid="../../dev/null")),
    ("kid a number", "malformed", lambda k: by_hand({"alg": "RS256", "kid": 7}, claims(), b"s")),
    ("jku", "signature", lambda k: signed(k, key=k.rsa, jku="http://127.0.0.1:1/")),
    ("x5u", "signature", lambda k: signed(k, key=k.rsa, x5u="http://127.0.0.1:1/")),
    ("embedded jwk", "signature", lambda k: signed(k, key=k.rsa, jwk=attacker_jwk(k))),
    ("crit", "header", lambda k: signed(k, crit=["hssk-x"], **{"hssk-x": 1})),
    ("crit b64", "header", lambda k: signed(k, crit=["b64"], b64=True)),
    ("expired", "expired", lambda k: signed(k, claims(exp=int(time.time()) - 60))),
    ("nbf in the future", "not_yet_valid", lambda k: signed(k, claims(nbf=time.time() + HOUR))),
    ("iat in the future", "not_yet_valid", lambda k: signed(k, claims(iat=time.time() + HOUR))),
    ("wrong iss", "issuer", lambda k: signed(k, claims(iss="evil"))),
    ("wrong aud", "audience", lambda k: signed(k, claims(aud="other"))),
    ("aud list without ours", "audience", lambda k: signed(k, claims(aud=["a", "b"]))),
    ("iss missing", "claims", lambda k: signed(k, claims(iss=DROP))),
    ("iss a number", "claims", lambda k: resigned(k, json.dumps(claims(iss=1)).encode())),
    ("sub missing", "claims", lambda k: signed(k, claims(sub=DROP))),
    ("sub empty", "claims", lambda k: signed(k, claims(sub=""))),
    ("sub spaces", "claims", lambda k: signed(k, claims(sub="   "))),
    ("sub a NUL", "claims", lambda k: signed(k, claims(sub="a\x00b"))),
    ("sub a lone surrogate", "claims", lambda k: signed(k, claims(sub="a\ud800"))),
    ("sub too long", "claims", lambda k: signed(k, claims(sub="x" * 201))),
    ("sub a number", "claims", lambda k: signed(k, claims(sub=7))),
    ("exp missing", "claims", lambda k: signed(k, claims(exp=DROP))),
    ("exp a string", "claims", lambda k: signed(k, claims(exp="1999999999"))),
    ("exp a bool", "claims", lambda k: signed(k, claims(exp=True))),
    ("exp Infinity", "claims", lambda k: signed(k, claims(exp=float("inf")))),
    ("exp null", "claims", lambda k: signed(k, claims(exp=None))),
    ("nbf a string", "claims", lambda k: signed(k, claims(nbf="0"))),
    ("iat null", "claims", lambda k: signed(k, claims(iat=None))),
    ("role a list", "claims", lambda k: signed(k, {**claims(), "role": ["operator"]})),
    ("role an object", "claims", lambda k: signed(k, {**claims(), "role": {"operator": 1}})),
    ("role unknown", "claims", lambda k: signed(k, claims(role="admin"))),
    ("role missing", "claims", lambda k: signed(k, claims(role=DROP))),
    ("doctor without facility", "claims", lambda k: signed(k, claims("doctor", facility=DROP))),
    ("hospital without facility", "claims", lambda k: signed(k, claims("hospital", facility=DROP))),
    ("facility an object", "claims", lambda k: signed(k, claims("doctor", facility={"$ne": None}))),
    ("facility 1", "claims", lambda k: signed(k, claims("doctor", facility="1"))),
    ("facility other digits", "claims", lambda k: signed(k, claims("doctor", facility="١٢٣٤٥"))),
    ("operator, facility bad", "claims", lambda k: signed(k, claims(facility="01001\n"))),
    ("ward a list", "claims", lambda k: signed(k, claims("ward_officer", ward=["26734"]))),
    ("ward_officer without ward", "claims", lambda k: signed(k, claims("ward_officer", ward=DROP))),
    ("person_id a path", "claims", lambda k: signed(k, claims("citizen", person_id="../x"))),
    ("person_id a number", "claims", lambda k: signed(k, claims("citizen", person_id=42))),
    ("citizen without person_id", "claims", lambda k: signed(k, claims("citizen", person_id=DROP))),
    ("a claim twice", "malformed", lambda k: resigned(k, b'{"role":"a","role":"operator"}')),
    ("payload not JSON", "malformed", lambda k: resigned(k, b"operator")),
    ("payload a list", "malformed", lambda k: resigned(k, b"[]")),
    ("header a list", "malformed", lambda k: f"{b64(b'[]')}.{b64(b'{}')}.{b64(b'x')}"),
    ("a.b.c", "malformed", lambda k: "a.b.c"),
    ("empty", "malformed", lambda k: ""),
    ("not base64", "malformed", lambda k: "%%%.&&&.***"),
    ("two parts", "malformed", lambda k: signed(k).rsplit(".", 1)[0]),
    ("four parts", "malformed", lambda k: signed(k) + ".e30"),
]


def count(reason: str) -> float:
    labels = {"service": SERVICE, "reason": reason}
    return REGISTRY.get_sample_value("hssk_auth_rejected_total", labels) or 0.0


@pytest.mark.parametrize("role", [*sorted(BOUND), "leader", "operator"])
def test_a_good_token_of_each_role_passes(verifier, keys, role):
    before = sum(count(r) for r in REASONS)
    principal = verifier.verify(signed(keys, claims(role, exp=time.time() + 60.5)))
    assert principal == Principal(subject=f"u-{role}", role=role, **BOUND.get(role, {}))
    assert sum(count(r) for r in REASONS) == before


@pytest.mark.parametrize(("reason", "forge"), [(r, f) for _, r, f in BAD], ids=[n for n, *_ in BAD])
def test_a_bad_token_is_refused_and_counted(verifier, keys, reason, forge):
    token = forge(keys)
    before = {r: count(r) for r in REASONS}
    with pytest.raises(TokenRefused) as refused:
        verifier.verify(token)
    assert isinstance(refused.value, PermissionError)
    assert refused.value.reason == reason, str(refused.value)
    assert {r: count(r) - before[r] for r in REASONS if count(r) != before[r]} == {reason: 1}


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([], "missing"),
        (["Bearer"], "missing"),
        (["Bearer "], "missing"),
        (["Basic {good}"], "missing"),
        (["Token {good}"], "missing"),
        (["{good}"], "missing"),
        (["Bearer {good} {good}"], "malformed"),
        (["Bearer {good}", "Bearer {good}"], "malformed"),
    ],
)
def test_only_one_bearer_header_with_one_token_is_read(verifier, keys, values, reason):
    good = signed(keys)
    assert verifier.authenticate([f"bearer {good}"]).role == "operator"  # the scheme's case
    before = count(reason)
    with pytest.raises(TokenRefused) as refused:
        verifier.authenticate([v.format(good=good) for v in values])
    assert (refused.value.reason, count(reason)) == (reason, before + 1)


def test_a_key_file_that_cannot_be_read_is_our_fault_not_the_callers(keys, tmp_path):
    settings = ServiceSettings(jwt_public_key_file=str(tmp_path / "absent.pem"))
    with pytest.raises(TokenRefused) as refused:
        TokenVerifier(settings, service=SERVICE).verify(signed(keys))
    assert refused.value.reason == "keys_unavailable"


@pytest.fixture
def jwks_verifier(keys, monkeypatch) -> TokenVerifier:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(keys.dev.public_key(), as_dict=True)
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda _: {"keys": [{**jwk, "kid": "k1"}]})
    settings = ServiceSettings(jwks_url="https://issuer.invalid/jwks", jwt_public_key_file=None)
    return TokenVerifier(settings, service=SERVICE)


def test_with_a_jwks_the_kid_picks_the_key(jwks_verifier, keys):
    assert jwks_verifier.verify(signed(keys, kid="k1")).role == "operator"
    refusals = {
        "unknown_key": signed(keys, kid="../../dev/null"),
        "signature": signed(keys, key=keys.rsa, kid="k1"),
    }
    for reason, token in refusals.items():
        with pytest.raises(TokenRefused) as refused:
            jwks_verifier.verify(token)
        assert refused.value.reason == reason


def test_with_a_jwks_out_of_reach_the_keys_are_unavailable(keys, monkeypatch):
    def unreachable(_):
        raise jwt.PyJWKClientConnectionError("connection refused")

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", unreachable)
    settings = ServiceSettings(jwks_url="https://issuer.invalid/jwks", jwt_public_key_file=None)
    with pytest.raises(TokenRefused) as refused:
        TokenVerifier(settings, service=SERVICE).verify(signed(keys, kid="k1"))
    assert refused.value.reason == "keys_unavailable"


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_EMR_", extra="ignore")


def test_the_service_label_defaults_to_the_settings_env_prefix():
    assert TokenVerifier(IngestSettings()).service == "ingest-emr"
    assert TokenVerifier(ServiceSettings()).service == "unknown"
    assert TokenVerifier(ServiceSettings(), service="records").service == "records"


async def test_a_route_answers_401_with_a_bearer_challenge(verifier, keys):
    app = FastAPI()
    app.state.verifier = verifier

    @app.get("/who")
    def who(principal: Annotated[Principal, require_roles("operator")]) -> dict:
        return {"sub": principal.subject}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        ok = await client.get("/who", headers={"Authorization": f"Bearer {signed(keys)}"})
        bad = await client.get("/who", headers={"Authorization": "Bearer a.b.c"})
        doctor = signed(keys, claims("doctor"))
        forbidden = await client.get("/who", headers={"Authorization": f"Bearer {doctor}"})
    assert (ok.status_code, ok.json()) == (200, {"sub": "u-operator"})
    assert (bad.status_code, bad.headers["www-authenticate"]) == (401, "Bearer")
    assert bad.json()["detail"]["error"] == "unauthenticated"
    assert forbidden.status_code == 403
