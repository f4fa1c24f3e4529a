"""Frequency caps: how often one citizen may be reminded to complete their record, and how many
messages one phone number or address may receive in a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Refusal = Literal["cap_citizen_7d", "cap_campaign"]
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Caps:
    citizen_days: int = 7  # at most one completeness reminder per citizen in this many days
    per_campaign: int = 3  # completeness reminders per citizen in one campaign
    per_number_day: int = 3  # messages of any kind to one number/address in 24 hours

    def __post_init__(self) -> None:
        if min(self.citizen_days, self.per_campaign, self.per_number_day) < 1:
            raise ValueError(f"caps must be at least 1: {self}")


def completeness_refusal(
    sent: Sequence[datetime], campaign_sent: int, now: datetime, caps: Caps = Caps()
) -> Refusal | None:
    """Why a completeness reminder may not go to this citizen now, or None when it may.

    `sent`: this citizen's completeness reminders ever sent; `campaign_sent`: how many of them
    belong to the current campaign."""
    recent = now - timedelta(days=caps.citizen_days)
    # A time after `now` (clock skew between workers) counts as recent: better late than twice.
    if any(at > recent for at in sent):
        return "cap_citizen_7d"
    if campaign_sent >= caps.per_campaign:
        return "cap_campaign"
    return None


def number_free_at(sent: Sequence[datetime], now: datetime, caps: Caps = Caps()) -> datetime | None:
    """None when one more message may go to this number/address now, else the instant it may.

    `sent`: when messages went to it. A message sent exactly 24 hours ago no longer counts."""
    recent = sorted(at for at in sent if at > now - DAY)
    if len(recent) < caps.per_number_day:
        return None
    # With exactly the cap in the window this is the oldest; with more (a cap lowered, or a race
    # between workers) enough of them must leave to bring the count below the cap.
    return recent[len(recent) - caps.per_number_day] + DAY
