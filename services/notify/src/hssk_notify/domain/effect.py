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
    if whole < min_cell or (0 < part < min_cell) or (0 < whole - part < min_cell):
        return {"rate": None, "suppressed": True, "of": None}  # the complement would tell
    return {"rate": round(part / whole, 4) if whole else None, "of": whole,
            "unstable": whole < UNSTABLE_BELOW}  # fmt: skip


def summarise(rows: Iterable[Mapping[str, Any]], min_cell: int) -> dict[str, Any]:
    """Rows: one per task with kind, campaign, status, channel, reason, group, completed."""
    outcomes: Counter[tuple[str, str, str]] = Counter()
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        status = r["status"]
        detail = r.get("reason") if status == "suppressed" else r.get("channel")
        outcomes[(r["campaign"], status, detail or "")] += 1
        if r["kind"] == "incomplete_profile" and r.get("group"):
            key = r["campaign"]
            groups[key][r["group"]] += 1
            groups[key][r["group"] + ":completed"] += 1 if r.get("completed") else 0
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
        "effect": [_effect(campaign, g, min_cell) for campaign, g in sorted(groups.items())],
    }


def _effect(campaign: str, g: Counter[str], min_cell: int) -> dict[str, Any]:
    reminded = rate(g["reminded:completed"], g["reminded"], min_cell)
    held = rate(g["held_out:completed"], g["held_out"], min_cell)
    difference = (
        round(reminded["rate"] - held["rate"], 4)
        if reminded.get("rate") is not None and held.get("rate") is not None
        else None
    )
    return {"campaign": campaign, "reminded": reminded, "held_out": held,
            "difference": difference}  # fmt: skip
