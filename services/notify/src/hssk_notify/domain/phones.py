"""Vietnamese phone numbers as providers take them: 84 and the subscriber number, digits only."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D")


def normalise(phone: str | None) -> str | None:
    """'0912 345 678', '+84912345678' and '84912345678' are one number: '84912345678'. Anything
    that is not a Vietnamese mobile or landline number of 9–10 subscriber digits is None."""
    if not phone:
        return None
    digits = _DIGITS.sub("", phone)
    if digits.startswith("84"):
        digits = digits[2:]
    digits = digits.removeprefix("0")
    return f"84{digits}" if 9 <= len(digits) <= 10 else None
