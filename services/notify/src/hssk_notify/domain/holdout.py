"""Hold-out groups: a stable share of citizens per campaign who get no reminder, so the effect of
reminding can be measured against them."""

from __future__ import annotations

import hashlib


def _unit(key: str) -> float:
    digest = hashlib.sha256(key.encode()).digest()
    # 53 bits are exactly representable in a float, so the value stays strictly below 1.0.
    return (int.from_bytes(digest[:8], "big") >> 11) / float(1 << 53)


def in_holdout(person_id: str, campaign: str, share: float) -> bool:
    """Whether this person is held out of this campaign; the same answer every time, and a
    person held out at some share is held out at any larger share."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be within [0, 1]: {share}")
    return _unit(f"{campaign}|{person_id}") < share
