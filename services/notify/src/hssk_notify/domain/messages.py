"""What a channel is asked to deliver and what it answers: the one shape every channel adapter
speaks, so the ladder can move from app push to Zalo ZNS to SMS to e-mail without knowing any."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Channel = Literal["app", "zalo", "sms", "email"]
LADDER: tuple[Channel, ...] = ("app", "zalo", "sms", "email")  # the default order

# Why a provider refused, in classes the ladder acts on (each adapter maps its provider's codes):
#   user_inactive      the address exists but the person cannot be reached there (ZNS: no or
#                      inactive Zalo account; push: token unregistered)   -> next channel
#   invalid_recipient  the address is malformed or unknown                   -> next channel
#   rejected_content   the provider refused the text (SMS gateway without diacritics, template
#                      parameters refused)                                   -> retry unaccented
#                                                                               once, then next
#   rate_limited | unavailable | timeout   transient: the adapter retries with backoff; when
#                      its retries are spent, or its circuit is open         -> next channel
ErrorClass = Literal[
    "user_inactive",
    "invalid_recipient",
    "rejected_content",
    "rate_limited",
    "unavailable",
    "timeout",
    "circuit_open",
]
TRANSIENT: frozenset[str] = frozenset({"rate_limited", "unavailable", "timeout", "circuit_open"})


@dataclass(frozen=True)
class Message:
    """One message to one address. `key` is the idempotency key (the task's dedupe key plus the
    channel): providers that honour one never deliver the same key twice, and e-mail carries it
    as a deterministic Message-ID."""

    key: str
    person_id: str
    channel: Channel
    to: str  # a phone number (E.164 without +, e.g. 84901234567), an e-mail or a device token
    text: str  # the SMS / push body / e-mail body, already fitted to the channel
    subject: str = ""  # e-mail subject, push title
    template_id: str = ""  # Zalo ZNS: the registered template
    params: dict[str, str] = field(default_factory=dict)  # Zalo ZNS template parameters
    unicode: bool = True  # SMS: False when `text` is the unaccented form


@dataclass(frozen=True)
class Receipt:
    """A provider's answer: accepted (with its message id) or refused with an error class."""

    accepted: bool
    provider_id: str | None = None
    error: ErrorClass | None = None
    detail: str = ""  # the provider's own code and words, for operators
    attempts: int = 1
