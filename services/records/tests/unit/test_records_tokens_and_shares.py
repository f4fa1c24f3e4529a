"""domain/tokens and domain/sharing: a QR token reads back as minted, and is refused as
"forged" when signed with another key, when its payload or signature was altered, or when it is
not a token at all, and as "expired" from its expiry on; a share opens only with its own secret,
only while it is active (not revoked, not expired), lasts at most 7 days, and keeps only a hash
of its secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from hssk_records.domain import sharing, tokens
from hssk_records.domain.sharing import new_share, opens, share_id_of

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
KEY = b"k" * 32
LASTS = timedelta(minutes=10)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed(payload: str, key: bytes = KEY) -> str:
    return f"{payload}.{b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())}"


def test_a_minted_token_reads_back_as_minted():
    raw, token = tokens.mint("person-0001", key=KEY, now=NOW, lasts=LASTS)

    assert tokens.read(raw, key=KEY, now=NOW) == token
    assert (token.person_id, token.expires_at) == ("person-0001", NOW + LASTS)
    assert len(token.token_id) == 24
    other, _ = tokens.mint("person-0001", key=KEY, now=NOW, lasts=LASTS)
    assert tokens.read(other, key=KEY, now=NOW).token_id != token.token_id  # single-use ids


def test_a_token_signed_with_another_key_is_forged():
    raw, _ = tokens.mint("person-0001", key=b"x" * 32, now=NOW, lasts=LASTS)
    assert tokens.read(raw, key=KEY, now=NOW) == "forged"


def test_an_altered_payload_with_its_old_signature_is_forged():
    raw, _ = tokens.mint("person-0001", key=KEY, now=NOW, lasts=LASTS)
    payload, signature = raw.split(".")
    body = json.loads(unb64(payload))
    for change in ({"p": "person-0002"}, {"e": body["e"] + 86_400}):
        altered = b64(json.dumps({**body, **change}, separators=(",", ":")).encode())
        assert tokens.read(f"{altered}.{signature}", key=KEY, now=NOW) == "forged"
    assert signed(payload) == raw  # the check above is about the payload alone


def test_an_altered_or_missing_signature_is_forged():
    raw, _ = tokens.mint("person-0001", key=KEY, now=NOW, lasts=LASTS)
    payload, signature = raw.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    for bad in (f"{payload}.{flipped}", payload, f"{payload}.", f".{signature}", "", "."):
        assert tokens.read(bad, key=KEY, now=NOW) == "forged", bad


def test_a_signed_payload_that_is_not_a_token_is_still_refused_as_forged():
    for payload in (b64(b"not json"), b64(b'{"t":"x","p":"y"}'), b64(b"[1,2]")):
        assert tokens.read(signed(payload), key=KEY, now=NOW) == "forged"


def test_a_token_is_expired_from_its_expiry_on_and_a_forgery_is_said_first():
    raw, token = tokens.mint("person-0001", key=KEY, now=NOW, lasts=LASTS)

    assert tokens.read(raw, key=KEY, now=NOW + LASTS - timedelta(seconds=1)) == token
    assert tokens.read(raw, key=KEY, now=NOW + LASTS) == "expired"
    assert tokens.read(raw, key=KEY, now=NOW + timedelta(days=30)) == "expired"
    assert tokens.read(raw, key=b"x" * 32, now=NOW + timedelta(days=30)) == "forged"


def test_every_refusal_is_said_in_vietnamese_and_english():
    assert set(tokens.REFUSALS) == {"forged", "expired", "used", "too_many"}
    vi, en = tokens.REFUSALS["expired"]
    assert "hết hạn" in vi and "expired" in en


def test_a_signature_with_non_ascii_characters_is_forged_not_a_crash():
    raw, _ = tokens.mint("person-0001", key=KEY, now=NOW, lasts=LASTS)
    payload = raw.split(".")[0]

    assert tokens.read(f"{payload}.é", key=KEY, now=NOW) == "forged"


def test_a_share_opens_with_its_own_token_and_keeps_only_a_hash_of_the_secret():
    share, token = new_share("person-0001", "summary", now=NOW, lasts=timedelta(days=1))
    secret = token.partition(".")[2]

    assert share_id_of(token) == share.share_id
    assert (share.person_id, share.scope, share.created_at) == ("person-0001", "summary", NOW)
    assert share.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in share.model_dump_json()
    assert opens(share, token, NOW)
    assert opens(share, token, NOW + timedelta(hours=23))


def test_a_share_does_not_open_with_a_wrong_secret_or_another_shares_token():
    share, token = new_share("person-0001", "full", now=NOW, lasts=timedelta(days=1))
    _, other = new_share("person-0001", "full", now=NOW, lasts=timedelta(days=1))

    assert not opens(share, f"{share.share_id}.guessed", NOW)
    assert not opens(share, f"{share.share_id}.{other.partition('.')[2]}", NOW)
    assert not opens(share, share.share_id, NOW)
    assert not opens(None, token, NOW)


def test_a_revoked_share_opens_nothing_even_before_it_expires():
    share, token = new_share("person-0001", "full", now=NOW, lasts=timedelta(days=3))
    revoked = share.model_copy(update={"revoked_at": NOW + timedelta(hours=1)})

    assert not opens(revoked, token, NOW + timedelta(hours=2))
    assert not revoked.active(NOW + timedelta(hours=2))


def test_a_share_opens_only_between_its_creation_and_its_expiry():
    share, token = new_share("person-0001", "full", now=NOW, lasts=timedelta(hours=4))

    assert share.expires_at == NOW + timedelta(hours=4)
    assert not opens(share, token, NOW - timedelta(seconds=1))
    assert opens(share, token, share.expires_at - timedelta(seconds=1))
    assert not opens(share, token, share.expires_at)


def test_a_share_lasts_at_most_7_days_whatever_is_asked():
    share, token = new_share("person-0001", "full", now=NOW, lasts=timedelta(days=30))

    assert sharing.LONGEST == timedelta(days=7)
    assert share.expires_at == NOW + timedelta(days=7)
    assert opens(share, token, NOW + timedelta(days=7) - timedelta(seconds=1))
    assert not opens(share, token, NOW + timedelta(days=7))
