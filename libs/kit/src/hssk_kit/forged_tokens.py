"""Tokens an attacker would forge, for the unit and e2e token suites (libs/kit/tests/test_auth.py,
tests/security/test_bad_tokens.py). Never used by a service."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey  # Keys.rsa hides `rsa`

from hssk_kit import devtokens

DROP = object()  # a claim value meaning "leave this claim out"
PERSON = "945baa88-04b2-51ed-99d1-c0d6d0c5b885"
NONES = ("none", "None", "NONE", "nOnE")  # a verifier comparing case-sensitively lets some pass
HOUR = 3600


@dataclass(frozen=True)
class Keys:
    issuer: RSAPrivateKey  # the one whose public half the verifier trusts
    issuer_public_pem: bytes
    rsa: RSAPrivateKey  # the attacker's, freshly generated: no verifier knows them
    ec256: ec.EllipticCurvePrivateKey
    ec384: ec.EllipticCurvePrivateKey
    ed: ed25519.Ed25519PrivateKey

    @classmethod
    def of_issuer(cls, issuer: RSAPrivateKey | bytes) -> Keys:
        """From the issuer's private key, or its PEM (the dev issuer's file, for the e2e suite)."""
        if isinstance(issuer, bytes):
            loaded = serialization.load_pem_private_key(issuer, password=None)
            if not isinstance(loaded, RSAPrivateKey):
                raise TypeError(f"the issuer key must be RSA, not {type(loaded).__name__}")
            issuer = loaded
        public = issuer.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(
            issuer=issuer,
            issuer_public_pem=public,
            rsa=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ec256=ec.generate_private_key(ec.SECP256R1()),
            ec384=ec.generate_private_key(ec.SECP384R1()),
            ed=ed25519.Ed25519PrivateKey.generate(),
        )


def bound(person_id: object = PERSON) -> dict[str, dict[str, object]]:
    """The scope claim each role must carry; operator and leader carry none."""
    return {
        "citizen": {"person_id": person_id},
        "doctor": {"facility": "01001"},
        "hospital": {"facility": "79001"},
        "ward_officer": {"ward": "26734"},
    }


def claims(role: Any = "operator", person_id: object = PERSON, **changes: Any) -> dict[str, Any]:
    """Good claims for the role, valid for ten minutes, but for `changes` (DROP leaves one out)."""
    now = int(time.time())
    base = {"iss": devtokens.ISSUER, "aud": devtokens.AUDIENCE, "sub": f"u-{role}", "role": role}
    base |= {"iat": now, "exp": now + 600, **bound(person_id).get(role, {}), **changes}
    return {name: value for name, value in base.items() if value is not DROP}


def signed(
    keys: Keys, payload: dict[str, Any] | None = None, alg: str = "RS256", key: Any = None, **header
) -> str:
    """Signed by PyJWT: by the issuer unless another key is given, extra header fields as given."""
    payload = claims() if payload is None else payload
    return jwt.encode(payload, key or keys.issuer, algorithm=alg, headers=header or None)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def by_hand(
    header: dict[str, Any],
    payload: dict[str, Any] | bytes,
    signature: bytes = b"",
    hmac_key: bytes | None = None,
) -> str:
    """A token PyJWT would not make: any alg, any payload bytes, an HMAC keyed with anything."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(body)}"
    if hmac_key is not None:
        digest = hashlib.sha512 if header["alg"] == "HS512" else hashlib.sha256
        signature = hmac.new(hmac_key, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def resigned(keys: Keys, payload: bytes) -> str:
    """Raw payload bytes, really signed by the issuer: only the payload's form is wrong."""
    return jwt.api_jws.encode(payload, keys.issuer, algorithm="RS256")


def attacker_jwk(keys: Keys) -> dict[str, Any]:
    return jwt.algorithms.RSAAlgorithm.to_jwk(keys.rsa.public_key(), as_dict=True)


Forge = Callable[[Keys], str]

# The variants both suites send, as (name, the reason the verifier must give, forge). A suite keeps
# its own list of the others; the names are test ids, so a variant keeps its name where it moves.
FORGED: list[tuple[str, str, Forge]] = [
    *[(f"alg {a}", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims())) for a in NONES],
    # HMAC keyed with the public key: what a verifier that trusts the header's alg would accept
    (
        "HS256 keyed with the public PEM",
        "algorithm",
        lambda k: by_hand({"alg": "HS256"}, claims(), hmac_key=k.issuer_public_pem),
    ),
    (
        "HS512 keyed with the public PEM",
        "algorithm",
        lambda k: by_hand({"alg": "HS512"}, claims(), hmac_key=k.issuer_public_pem),
    ),
    ("PS256", "algorithm", lambda k: signed(k, alg="PS256", key=k.rsa)),
    ("RS512", "algorithm", lambda k: signed(k, alg="RS512", key=k.rsa)),
    ("ES384", "algorithm", lambda k: signed(k, alg="ES384", key=k.ec384)),
    ("EdDSA", "algorithm", lambda k: signed(k, alg="EdDSA", key=k.ed)),
    ("RS256 by an unknown key", "signature", lambda k: signed(k, key=k.rsa)),
    # ES256 is allowed but no EC key is configured: nothing to check the signature with
    ("ES256 by an unknown key", "unknown_key", lambda k: signed(k, alg="ES256", key=k.ec256)),
    # header fields that point a naive verifier at a key the attacker chose
    (
        "kid a path, HMAC of nothing",
        "algorithm",
        lambda k: by_hand({"alg": "HS256", "kid": "../../dev/null"}, claims(), hmac_key=b""),
    ),
    ("kid a path", "signature", lambda k: signed(k, key=k.rsa, kid="../../dev/null")),
    ("jku", "signature", lambda k: signed(k, key=k.rsa, jku="http://127.0.0.1:1/")),
    ("x5u", "signature", lambda k: signed(k, key=k.rsa, x5u="http://127.0.0.1:1/")),
    ("embedded jwk", "signature", lambda k: signed(k, key=k.rsa, jwk=attacker_jwk(k))),
    # straight to PyJWT: a header named "hssk-x" cannot be a keyword argument of signed()
    (
        "crit",
        "header",
        lambda k: jwt.encode(
            claims(), k.issuer, "RS256", headers={"crit": ["hssk-x"], "hssk-x": 1}
        ),
    ),
    # the rest are really signed by the issuer: only the claims are wrong
    ("expired", "expired", lambda k: signed(k, claims(exp=int(time.time()) - 60))),
    ("nbf in the future", "not_yet_valid", lambda k: signed(k, claims(nbf=time.time() + HOUR))),
    ("wrong iss", "issuer", lambda k: signed(k, claims(iss="someone-else"))),
    ("wrong aud", "audience", lambda k: signed(k, claims(aud="another-platform"))),
    ("sub missing", "claims", lambda k: signed(k, claims(sub=DROP))),
    ("sub empty", "claims", lambda k: signed(k, claims(sub=""))),
    ("exp a string", "claims", lambda k: signed(k, claims(exp="1999999999"))),
    ("exp a bool", "claims", lambda k: signed(k, claims(exp=True))),
    ("role a list", "claims", lambda k: signed(k, {**claims(), "role": ["operator"]})),
    ("role an object", "claims", lambda k: signed(k, {**claims(), "role": {"operator": 1}})),
    ("role unknown", "claims", lambda k: signed(k, claims(role="admin"))),
    ("role missing", "claims", lambda k: signed(k, claims(role=DROP))),
    ("doctor without facility", "claims", lambda k: signed(k, claims("doctor", facility=DROP))),
    ("facility an object", "claims", lambda k: signed(k, claims("doctor", facility={"$ne": None}))),
    ("facility 1", "claims", lambda k: signed(k, claims("doctor", facility="1"))),
    ("ward a list", "claims", lambda k: signed(k, claims("ward_officer", ward=["26734"]))),
    ("person_id a number", "claims", lambda k: signed(k, claims("citizen", person_id=42))),
]
