"""TokenVerifier: a good token of each role passes; every forged, stale or ill-typed one is refused
with PermissionError and counted in hssk_auth_rejected_total under its reason. No network."""

from __future__ import annotations

import json
import time
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from prometheus_client import REGISTRY
from pydantic_settings import SettingsConfigDict

from hssk_kit.auth import REASONS, Principal, TokenRefused, TokenVerifier, require_roles
from hssk_kit.forged_tokens import (
    DROP,
    FORGED,
    HOUR,
    NONES,
    Forge,
    Keys,
    b64,
    bound,
    by_hand,
    claims,
    resigned,
    signed,
)
from hssk_kit.settings import ServiceSettings

SERVICE = "kit-test"
BOUND = bound()


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.of_issuer(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def verifier(keys: Keys, tmp_path) -> TokenVerifier:
    (tmp_path / "issuer.pub.pem").write_bytes(keys.issuer_public_pem)
    settings = ServiceSettings(jwt_public_key_file=str(tmp_path / "issuer.pub.pem"))
    return TokenVerifier(settings, service=SERVICE)


# Besides the variants the e2e suite sends too (FORGED), those only the verifier itself is given:
# each edge of the claim schema, and tokens the e2e suite names otherwise.
BAD: list[tuple[str, str, Forge]] = [
    *FORGED,
    *[
        (f"alg {a} signed", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims(), b"sig"))
        for a in NONES
    ],
    ("alg missing", "algorithm", lambda k: by_hand({"typ": "JWT"}, claims(), b"sig")),
    ("alg a list", "algorithm", lambda k: by_hand({"alg": ["RS256"]}, claims(), b"sig")),
    ("RS256 without signature", "signature", lambda k: by_hand({"alg": "RS256"}, claims())),
    ("kid a number", "malformed", lambda k: by_hand({"alg": "RS256", "kid": 7}, claims(), b"s")),
    ("crit b64", "header", lambda k: signed(k, crit=["b64"], b64=True)),
    ("iat in the future", "not_yet_valid", lambda k: signed(k, claims(iat=time.time() + HOUR))),
    ("aud list without ours", "audience", lambda k: signed(k, claims(aud=["a", "b"]))),
    ("iss missing", "claims", lambda k: signed(k, claims(iss=DROP))),
    ("iss a number", "claims", lambda k: resigned(k, json.dumps(claims(iss=1)).encode())),
    ("sub spaces", "claims", lambda k: signed(k, claims(sub="   "))),
    ("sub a NUL", "claims", lambda k: signed(k, claims(sub="a\x00b"))),
    ("sub a lone surrogate", "claims", lambda k: signed(k, claims(sub="a\ud800"))),
    ("sub too long", "claims", lambda k: signed(k, claims(sub="x" * 201))),
    ("sub a number", "claims", lambda k: signed(k, claims(sub=7))),
    ("exp missing", "claims", lambda k: signed(k, claims(exp=DROP))),
    ("exp Infinity", "claims", lambda k: signed(k, claims(exp=float("inf")))),
    ("exp null", "claims", lambda k: signed(k, claims(exp=None))),
    ("nbf a string", "claims", lambda k: signed(k, claims(nbf="0"))),
    ("iat null", "claims", lambda k: signed(k, claims(iat=None))),
    ("hospital without facility", "claims", lambda k: signed(k, claims("hospital", facility=DROP))),
    ("facility other digits", "claims", lambda k: signed(k, claims("doctor", facility="١٢٣٤٥"))),
    ("operator, facility bad", "claims", lambda k: signed(k, claims(facility="01001\n"))),
    ("ward_officer without ward", "claims", lambda k: signed(k, claims("ward_officer", ward=DROP))),
    ("person_id a path", "claims", lambda k: signed(k, claims("citizen", person_id="../x"))),
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


def test_a_verified_token_is_remembered_until_its_exp_and_a_refused_one_never(
    verifier, keys, monkeypatch
):
    now = time.time()
    token = signed(keys, claims("operator", exp=int(now) + 30))
    assert verifier.known([f"Bearer {token}"]) is None
    principal = verifier.authenticate([f"Bearer {token}"])
    assert verifier.known([f"Bearer {token}"]) == principal
    assert verifier.known([f"Bearer {token}x"]) is None  # the exact bytes, signature included
    assert verifier.known([f"Bearer {token}", f"Bearer {token}"]) is None
    monkeypatch.setattr(time, "time", lambda: now + 31)
    assert verifier.known([f"Bearer {token}"]) is None  # past exp: verified (and refused) again
    forged = signed(keys, claims("operator"), key=keys.rsa)
    with pytest.raises(TokenRefused):
        verifier.authenticate([f"Bearer {forged}"])
    assert verifier.known([f"Bearer {forged}"]) is None


def test_a_remembered_token_is_checked_again_after_five_minutes(verifier, keys, monkeypatch):
    now = time.time()
    token = signed(keys, claims("operator", exp=int(now) + 3600))
    verifier.authenticate([f"Bearer {token}"])
    monkeypatch.setattr(time, "time", lambda: now + 301)
    assert verifier.known([f"Bearer {token}"]) is None


def test_a_key_file_that_cannot_be_read_is_our_fault_not_the_callers(keys, tmp_path):
    settings = ServiceSettings(jwt_public_key_file=str(tmp_path / "absent.pem"))
    with pytest.raises(TokenRefused) as refused:
        TokenVerifier(settings, service=SERVICE).verify(signed(keys))
    assert refused.value.reason == "keys_unavailable"


@pytest.fixture
def jwks_verifier(keys, monkeypatch) -> TokenVerifier:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(keys.issuer.public_key(), as_dict=True)
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
