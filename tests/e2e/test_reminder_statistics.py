"""Whether reminders work, as a leader reads it on the running platform: a dozen citizens of a
ward no other test uses get their completeness reminder (or are held out), records folds
notify's outcomes into GET /v1/stats/reminders, and once each fills the item the completions
are counted for the reminded; every figure passed the disclosure gate, and another ward's
officer is refused."""

from __future__ import annotations

import asyncio
import random

import pytest

from hssk_contracts import topics
from hssk_notify.domain.tasks import campaign
from hssk_records.domain.stats import regions
from tests.e2e.test_notify_delivery import (
    FILLS,
    NOTIFY,
    a_phone,
    bearer,
    fresh_cccd,
    set_clock,
    vn_today,
)
from tests.e2e.test_statistics import RECORDS, stats
from tests.e2e.test_visit_flow import example_visit, for_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
CITIZENS = 12
# Nghệ An: no other test puts citizens there. Wards of one province are suppressed together
# (a small cell in one may hide another as its partner), so each statistics test has its own.
PROVINCE = "40"


async def test_reminders_sent_and_completions_after_them_are_counted(
    producer, tail, http, token, uid
):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    leader = bearer(token, role="leader")
    known = {r["area"] for r in (await stats(http, leader, "reminders?level=ward"))["rows"]}
    ward = random.choice([w for w in regions.wards_of(PROVINCE) if w not in known])
    await set_clock(http, token, vn_today(10))
    people = []
    for i in range(CITIZENS):
        doc = example_visit(f"{uid}{i:02d}")
        doc["data"]["patient"]["identifiers"] = [{"type": "cccd", "value": fresh_cccd()}]
        doc["data"]["patient"].update({"phone": a_phone()[0], "commune_code": ward})
        await send(producer, doc)
        [change] = await changes.wait_for(for_visit(doc["key"]))
        people.append(change.data.person_id)
    outcomes = await _outcomes(reminders, set(people))
    reminded = [p for p, kind in outcomes.items() if kind == "ReminderSent"]
    held_out = [p for p, kind in outcomes.items() if kind == "ReminderSuppressed"]

    this_quarter = campaign("incomplete_profile", vn_today(10))
    query = f"reminders?level=ward&ward={ward}&campaign={this_quarter}"
    expected = _shown(len(reminded))
    row = await _row(http, leader, query, lambda r: r["reminded"]["reminders"] == expected)
    assert row["campaign"].startswith("incomplete_profile:") and row["name"]
    assert row["reminded"]["completed"] in (0, None)

    for person in reminded:  # each citizen fills the item their reminder named
        await _fill(http, token, person)
    row = await _row(http, leader, query, lambda r: r["reminded"]["completed"] == expected)
    assert row["reminded"]["completed_percent"] == (100.0 if expected else None)
    assert row["held_out"]["reminders"] == (_shown(len(held_out)) if held_out else 0)

    officer = bearer(token, role="ward_officer", ward=ward)
    mine = await stats(http, officer, query)
    assert [r["area"] for r in mine["rows"]] == [ward] and mine["fresh_as_of"]
    other = bearer(token, role="ward_officer", ward="00004")
    refused = await http.get(f"{RECORDS}/v1/stats/{query}", headers=other)
    assert refused.status_code == 403
    as_csv = await http.get(f"{RECORDS}/v1/stats/{query}",
                            headers={**leader, "Accept": "text/csv"})  # fmt: skip
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "reminded.completed_percent" in as_csv.text.splitlines()[0]


def _shown(n: int) -> int | None:
    return n if n >= 10 else None  # 1..9 are never shown


async def _outcomes(reminders, people: set[str]) -> dict[str, str]:
    """Each citizen's first outcome: sent, or held out (suppressed)."""
    kinds = ("ReminderSent", "ReminderSuppressed")
    for _ in range(120):
        await reminders.poll(0.5)
        got = {e.data.person_id: e.type for e in reminders.events
               if e.type in kinds and e.data.person_id in people}  # fmt: skip
        if len(got) == len(people):
            return got
    raise AssertionError(f"{len(people) - len(got)} citizens never had a reminder's outcome")


async def _row(http, leader, query: str, ready) -> dict:
    row: dict = {}
    for _ in range(120):
        rows = (await stats(http, leader, query))["rows"]
        if rows and ready(row := rows[0]):
            return row
        await asyncio.sleep(0.5)
    raise AssertionError(f"the reminders' figures never reached what was expected: {row}")


async def _fill(http, token, person: str) -> None:
    citizen = bearer(token, role="citizen", person_id=person)
    listed = (await http.get(f"{NOTIFY}/v1/reminders/{person}", headers=citizen)).json()
    item = listed["reminders"][0]["item"]
    body = FILLS.get(item, {"height_cm": 160})
    filled = await http.patch(f"{RECORDS}/v1/me/declaration", json=body, headers=citizen)
    assert filled.status_code == 200, filled.text
