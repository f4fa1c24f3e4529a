"""The effect statistics: citizens counted once per group, no cell under the minimum shown, and
no hidden cell recoverable from its complement."""

from __future__ import annotations

from hssk_notify.domain.effect import rate, summarise

CAMPAIGN = "incomplete_profile:2026-Q4"


def rows(group: str, people: int, completed: int, tasks_each: int = 1) -> list[dict]:
    return [
        {
            "person_id": f"{group}-{p}",
            "kind": "incomplete_profile",
            "campaign": CAMPAIGN,
            "status": "sent" if group == "reminded" else "suppressed",
            "channel": "sms",
            "reason": None if group == "reminded" else "held_out",
            "group": group,
            "completed": p < completed and t == tasks_each - 1,
        }
        for p in range(people)
        for t in range(tasks_each)
    ]


def test_reminded_and_held_out_citizens_are_compared_each_counted_once():
    stats = summarise(rows("reminded", 200, 80, tasks_each=3) + rows("held_out", 40, 10), 10)
    [effect] = stats["effect"]
    assert effect["reminded"] == {"people": 200, "rate": 0.4, "unstable": False}
    assert effect["held_out"] == {"people": 40, "rate": 0.25, "unstable": False}
    assert effect["difference"] == 0.15


def test_small_groups_and_their_complements_are_hidden():
    assert rate(3, 9, 10) == {"people": None, "rate": None, "suppressed": True}
    assert rate(5, 100, 10)["suppressed"]  # five people who completed: too few to show
    assert rate(95, 100, 10)["suppressed"]  # five who did not: as telling
    assert rate(0, 15, 10) == {"people": 15, "rate": 0.0, "unstable": True}
    stats = summarise(rows("reminded", 4, 1), 10)
    assert all(r["count"] is None and r["suppressed"] for r in stats["outcomes"])
