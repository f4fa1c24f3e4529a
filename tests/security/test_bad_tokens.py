"""The bad-token suite: one authenticated route of each running service, called with each forged,
stale, ill-typed or ill-sent token, answers 401 with a Bearer challenge and an `unauthenticated`
body (never 403, 404, 422 or 500), and the service counts it under the expected reason."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from hssk_cli import stack
from hssk_kit import devtokens
from tests.conftest import ROOT, SUMMARIES

pytestmark = pytest.mark.usefixtures("platform_up")
PERSON = str(uuid.uuid4())
ROUTES = {
    "identity": f"/v1/persons/{PERSON}",
    "records": f"/v1/records/{PERSON}",
    "ingest-emr": "/v1/dlq",
    "notify": f"/v1/reminders/{PERSON}",
}
DROP = object()  # a claim value meaning "leave this claim out"
HOUR = 3600
RESULTS: dict[tuple[str, str], int] = {}  # (variant, service) -> status, for the summary line


@dataclass(frozen=True)
class Keys:
    dev_private_pem: bytes  # the dev issuer's: the services trust its public half
    dev_public_pem: bytes
    rsa: rsa.RSAPrivateKey  # the attacker's, freshly generated
    ec256: ec.EllipticCurvePrivateKey
    ec384: ec.EllipticCurvePrivateKey
    ed: ed25519.Ed25519PrivateKey


@pytest.fixture(scope="module")
def keys() -> Keys:
    private, public = devtokens.ensure_keys(ROOT / ".hssk" / "keys")
    return Keys(
        dev_private_pem=private.read_bytes(),
        dev_public_pem=public.read_bytes(),
        rsa=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec256=ec.generate_private_key(ec.SECP256R1()),
        ec384=ec.generate_private_key(ec.SECP384R1()),
        ed=ed25519.Ed25519PrivateKey.generate(),
    )


def claims(role: str = "operator", **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    bound = {"doctor": {"facility": "01001"}, "citizen": {"person_id": PERSON}}
    base = {"iss": devtokens.ISSUER, "aud": devtokens.AUDIENCE, "sub": "bad-token-suite"}
    base |= {"role": role, "iat": now, "exp": now + 600, **bound.get(role, {}), **changes}
    return {name: value for name, value in base.items() if value is not DROP}


def signed(k: Keys, payload: dict | None = None, alg="RS256", key=None, **header) -> str:
    key = key or k.dev_private_pem
    return jwt.encode(payload or claims(), key, algorithm=alg, headers=header or None)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def by_hand(header: dict, payload: dict, signature: bytes = b"", hmac_key=None) -> str:
    """What PyJWT will not make: alg none in any case, an HMAC keyed with anything."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if hmac_key is not None:
        digest = hashlib.sha512 if header["alg"] == "HS512" else hashlib.sha256
        signature = hmac.new(hmac_key, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def bearer(forge: Callable[[Keys], str]) -> Callable[[Keys], list[str]]:
    return lambda k: [f"Bearer {forge(k)}"]


def attacker_jwk(k: Keys) -> dict:
    return jwt.algorithms.RSAAlgorithm.to_jwk(k.rsa.public_key(), as_dict=True)


NONES = ("none", "None", "NONE", "nOnE")
SENT: list[tuple[str, str, Callable[[Keys], list[str]]]] = [
    ("no Authorization header", "missing", lambda k: []),
    ("scheme Basic", "missing", lambda k: [f"Basic {signed(k)}"]),
    ("scheme Token", "missing", lambda k: [f"Token {signed(k)}"]),
    ("no scheme", "missing", lambda k: [signed(k)]),
    ("garbage empty (Bearer alone)", "missing", lambda k: ["Bearer"]),
    ("the token twice", "malformed", lambda k: [f"Bearer {signed(k)} {signed(k)}"]),
    ("two Authorization headers", "malformed", lambda k: [f"Bearer {signed(k)}"] * 2),
]
TOKENS: list[tuple[str, str, Callable[[Keys], str]]] = [
    *[(f"alg {a}", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims())) for a in NONES],
    *[
        (f"alg {a}, signed", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims(), b"s"))
        for a in NONES
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
    ("RS256 by an unknown key", "signature", lambda k: signed(k, key=k.rsa)),
    ("ES256 by an unknown key", "unknown_key", lambda k: signed(k, alg="ES256", key=k.ec256)),
    ("expired", "expired", lambda k: signed(k, claims(exp=int(time.time()) - 60))),
    ("nbf in the future", "not_yet_valid", lambda k: signed(k, claims(nbf=time.time() + HOUR))),
    ("wrong iss", "issuer", lambda k: signed(k, claims(iss="someone-else"))),
    ("wrong aud", "audience", lambda k: signed(k, claims(aud="another-platform"))),
    ("sub missing", "claims", lambda k: signed(k, claims(sub=DROP))),
    ("sub empty", "claims", lambda k: signed(k, claims(sub=""))),
    ("sub only spaces", "claims", lambda k: signed(k, claims(sub="   "))),
    ("exp a string", "claims", lambda k: signed(k, claims(exp="1999999999"))),
    ("exp a bool", "claims", lambda k: signed(k, claims(exp=True))),
    ("role a list", "claims", lambda k: signed(k, {**claims(), "role": ["operator"]})),
    ("role an object", "claims", lambda k: signed(k, {**claims(), "role": {"operator": 1}})),
    ("role unknown", "claims", lambda k: signed(k, claims("admin"))),
    ("role missing", "claims", lambda k: signed(k, claims(role=DROP))),
    ("doctor without facility", "claims", lambda k: signed(k, claims("doctor", facility=DROP))),
    ("facility an object", "claims", lambda k: signed(k, claims("doctor", facility={"$ne": None}))),
    ("facility 1", "claims", lambda k: signed(k, claims("doctor", facility="1"))),
    ("ward a list", "claims", lambda k: signed(k, claims("ward_officer", ward=["26734"]))),
    ("person_id ../x", "claims", lambda k: signed(k, claims("citizen", person_id="../x"))),
    ("person_id a number", "claims", lambda k: signed(k, claims("citizen", person_id=42))),
    (
        "kid a path, HMAC of nothing",
        "algorithm",
        lambda k: by_hand({"alg": "HS256", "kid": "../../dev/null"}, claims(), hmac_key=b""),
    ),
    ("kid a path", "signature", lambda k: signed(k, key=k.rsa, kid="../../dev/null")),
    ("jku", "signature", lambda k: signed(k, key=k.rsa, jku="http://127.0.0.1:1/")),
    ("x5u", "signature", lambda k: signed(k, key=k.rsa, x5u="http://127.0.0.1:1/")),
    ("embedded jwk", "signature", lambda k: signed(k, key=k.rsa, jwk=attacker_jwk(k))),
    ("crit", "header", lambda k: signed(k, crit=["hssk-x"], **{"hssk-x": True})),
    ("garbage a.b.c", "malformed", lambda k: "a.b.c"),
    ("garbage not base64", "malformed", lambda k: "%%%.&&&.***"),
]
VARIANTS = SENT + [(name, reason, bearer(forge)) for name, reason, forge in TOKENS]


def rejected(metrics: str, service: str, reason: str) -> float:
    labels = (f'reason="{reason}"', f'service="{service}"')
    for line in metrics.splitlines():
        if line.startswith("hssk_auth_rejected_total{") and all(p in line for p in labels):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    if RESULTS:
        services = {service for _, service in RESULTS}
        variants = {name for name, _ in RESULTS}
        others = sum(status != 401 for status in RESULTS.values())
        verdict = f"{others} NOT answered 401" if others else "all 401"
        line = f"bad-token suite: {len(variants)} tokens × {len(services)} services, {verdict}"
        request.config.stash.setdefault(SUMMARIES, []).append(line)


@pytest.mark.parametrize("service", ROUTES)
async def test_a_good_token_gets_past_the_door(http, token, service):
    good = {"Authorization": f"Bearer {token(role='operator')}"}
    if service in ("records", "notify"):
        good = {"Authorization": f"Bearer {token(role='citizen', person_id=PERSON)}"}
    answer = await http.get(stack.BY_NAME[service].url + ROUTES[service], headers=good)
    assert answer.status_code not in (401, 500), answer.text


@pytest.mark.parametrize("service", ROUTES)
@pytest.mark.parametrize(("name", "reason", "forge"), VARIANTS, ids=[v[0] for v in VARIANTS])
async def test_a_bad_token_gets_401(http, keys, service, name, reason, forge):
    url = stack.BY_NAME[service].url
    before = rejected((await http.get(f"{url}/metrics")).text, service, reason)
    sent = httpx.Headers([("Authorization", value) for value in forge(keys)])
    answer = await http.get(url + ROUTES[service], headers=sent)
    RESULTS[(name, service)] = answer.status_code
    assert answer.status_code == 401, answer.text
    assert answer.headers.get("www-authenticate") == "Bearer"
    body = answer.json()
    assert body["error"] == "unauthenticated" and isinstance(body["message"], str), body
    after = rejected((await http.get(f"{url}/metrics")).text, service, reason)
    assert after >= before + 1, f"{service} did not count it as {reason}: {body['message']}"
