"""The local dev token issuer: an RSA key pair under .hssk/keys (ignored by git, never shipped)
and a function that mints tokens the local services accept. Not for production."""

from __future__ import annotations

import secrets
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "hssk-dev-issuer"
AUDIENCE = "hssk"


def ensure_keys(directory: Path) -> tuple[Path, Path]:
    private, public = directory / "dev-issuer.pem", directory / "dev-issuer.pub.pem"
    if private.exists() and public.exists():
        return private, public
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def ensure_secret(path: Path, size: int = 32) -> Path:
    """A random secret file for local HMACs (records' QR codes); made once, never committed."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(size))
        path.chmod(0o600)
    return path


def mint(
    private_key_file: Path,
    *,
    role: str,
    subject: str | None = None,
    facility: str | None = None,
    ward: str | None = None,
    person_id: str | None = None,
    ttl_s: int = 8 * 3600,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject or f"dev-{role}-{uuid.uuid4().hex[:8]}",
        "role": role,
        "iat": now,
        "exp": now + ttl_s,
    }
    claims.update(
        {k: v for k, v in {"facility": facility, "ward": ward, "person_id": person_id}.items() if v}
    )
    return jwt.encode(claims, private_key_file.read_bytes(), algorithm="RS256")
