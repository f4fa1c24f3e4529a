"""The measured effect of reminders: per campaign and channel, how many were sent, delivered,
failed or suppressed (by reason), and the completion rate of reminded citizens against the
random hold-out that got nothing. No cell under the minimum count is disclosed (its count and
any rate made from it are None and flagged), so no small group of citizens can be singled out."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

UNSTABLE_BELOW = 20  # a rate from fewer people is flagged unstable


def cell(count: int, min_cell: int) -> dict[str, Any]:
    if 0 < count < min_cell:
        return {"count": None, "suppressed": True}
    return {"count": count}


def rate(part: int, whole: int, min_cell: int) -> dict[str, Any]:
    """A group of `whole` citizens of whom `part` completed: its size and completion rate."""
    people = whole if whole >= min_cell else None
    if people is None or (0 < part < min_cell) or (0 < whole - part < min_cell):
        return {"people": people, "rate": None, "suppressed": True}  # the complement would tell
    return {"people": people, "rate": round(part / whole, 4) if whole else None,
            "unstable": whole < UNSTABLE_BELOW}  # fmt: skip


def summarise(rows: Iterable[Mapping[str, Any]], min_cell: int) -> dict[str, Any]:
    """Rows: one per task with person_id, kind, campaign, status, channel, reason, group and
    whether its item was completed afterwards."""
    outcomes: Counter[tuple[str, str, str]] = Counter()
    members: dict[tuple[str, str], dict[str, bool]] = defaultdict(dict)  # citizen -> completed
    for r in rows:
        status = r["status"]
        detail = r.get("reason") if status == "suppressed" else r.get("channel")
        outcomes[(r["campaign"], status, detail or "")] += 1
        if r["kind"] == "incomplete_profile" and r.get("group"):
            group = members[(r["campaign"], r["group"])]
            group[r["person_id"]] = group.get(r["person_id"], False) or bool(r.get("completed"))
    return {
        "min_cell": min_cell,
        "outcomes": [
            {
                "campaign": c,
                "status": s,
                ("reason" if s == "suppressed" else "channel"): d or None,
                **cell(n, min_cell),
            }
            for (c, s, d), n in sorted(outcomes.items())
        ],
        "effect": [
            _effect(campaign, members, min_cell) for campaign in sorted({c for c, _ in members})
        ],
    }


def _effect(campaign: str, members: Mapping, min_cell: int) -> dict[str, Any]:
    """Citizens, not reminders: a citizen reminded twice in a campaign counts once."""
    reminded, held = (
        rate(sum(g.values()), len(g), min_cell)
        for g in (members.get((campaign, "reminded"), {}), members.get((campaign, "held_out"), {}))
    )
    difference = (
        round(reminded["rate"] - held["rate"], 4)
        if reminded.get("rate") is not None and held.get("rate") is not None
        else None
    )
    return {"campaign": campaign, "reminded": reminded, "held_out": held,
            "difference": difference}  # fmt: skip
