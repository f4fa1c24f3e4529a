"""Following a merge to its survivor, the same way in every service: a merged person (identity's
person, records' record) names the survivor in `merged_into`; a chain is followed to its end,
at most MAX_HOPS links (a longer one is a loop or a corruption, and stops there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_HOPS = 10


async def survivor(
    get: Callable[[str], Awaitable[T | None]], person_id: str
) -> tuple[str, T | None]:
    """Who `person_id` is now (their id and what `get` holds of them; None: nothing stored)."""
    item = await get(person_id)
    for _ in range(MAX_HOPS):
        after: Any = getattr(item, "merged_into", None)
        if not after:
            break
        person_id = after
        item = await get(person_id)
    return person_id, item
