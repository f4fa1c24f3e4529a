"""The channel ladder: which of a citizen's addresses to try, in which order, and what to do after
a channel refuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from hssk_notify.domain.messages import LADDER, Channel, ErrorClass

Next = Literal["retry_unaccented", "next_channel"]


def ladder(
    preferred: Sequence[Channel] | None, addresses: Mapping[Channel, str]
) -> list[tuple[Channel, str]]:
    """(channel, address) pairs to try in turn: the citizen's own order, or LADDER without one.

    A citizen who states a preference is never contacted on a channel left out of it; a channel
    without a usable address is skipped; each channel appears once."""
    out: list[tuple[Channel, str]] = []
    for channel in preferred or LADDER:
        # The preference is stored data: an unknown or repeated channel name is ignored.
        if channel not in LADDER or any(channel == used for used, _ in out):
            continue
        address = addresses.get(channel, "")
        if address.strip():
            out.append((channel, address))
    return out


def after_failure(error: ErrorClass | None, *, unicode: bool) -> Next:
    """What to do when a channel refused: a gateway that refuses an SMS with diacritics may
    accept it unaccented (once); anything else moves on to the next channel."""
    if error == "rejected_content" and unicode:
        return "retry_unaccented"
    return "next_channel"
