"""Whether reminders work, as a leader reads it on the running platform: a dozen citizens get
their completeness reminder (or are held out), records folds notify's outcomes into
GET /v1/stats/reminders and the city's count takes them in; each fills the item and notify
announces the completions; no figure shown is a small number, the ward's officer sees their
ward only, another ward's officer is refused. (The effect's exact figures and their gate are
unit-tested: on a stack shared with other tests, any may be hidden as another's partner.)"""

from __future__ import annotations

import asyncio

import pytest

from hssk_contracts import topics
from hssk_notify.domain.tasks import campaign
from tests.citizens import WARD
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


async def test_reminders_sent_and_completions_after_them_are_counted(
    producer, tail, http, token, uid
):
    """In the tests' usual ward (26734, among the other tests' citizens): a ward of its own,
    alone in its province, would mirror every suppression of that province, and through the
    city's groups pull other tests' wards into hiding."""
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    leader = bearer(token, role="leader")
    await set_clock(http, token, vn_today(10))
    this_quarter = campaign("incomplete_profile", vn_today(10))
    city = f"reminders?level=city&campaign={this_quarter}"
    rows = (await stats(http, leader, city))["rows"]
    sent_before = (rows[0]["reminders"] or 0) if rows else 0
    people = []
    for i in range(CITIZENS):
        doc = example_visit(f"{uid}{i:02d}")
        doc["data"]["patient"]["identifiers"] = [{"type": "cccd", "value": fresh_cccd()}]
        doc["data"]["patient"].update({"phone": a_phone()[0], "commune_code": WARD})
        await send(producer, doc)
        [change] = await changes.wait_for(for_visit(doc["key"]))
        people.append(change.data.person_id)
    outcomes = await _outcomes(reminders, set(people))
    # the city's reminders (thousands: never hidden) count this test's outcomes
    await _row(http, leader, city, lambda r: (r["reminders"] or 0) >= sent_before + len(outcomes))

    for person in people:  # each fills the item their reminder named, held out or not
        await _fill(http, token, person)
    completed = await reminders.wait_for(
        lambda e: e.type == "ReminderCompleted" and e.data.person_id in set(people)
    )
    assert {e.data.person_id for e in completed} <= set(people) and completed
    # The exact effect figures (and their gate) are unit-tested: on a shared stack any of them
    # may be the partner of another test's small cell, so here they are exact or hidden.
    [row] = (await stats(http, leader, city))["rows"]
    for group in ("reminded", "held_out"):
        for count in ("reminders", "completed"):
            assert row[group][count] not in range(1, 10)

    query = f"reminders?level=ward&ward={WARD}&campaign={this_quarter}"
    officer = bearer(token, role="ward_officer", ward=WARD)
    mine = await stats(http, officer, query)
    assert [r["area"] for r in mine["rows"]] == [WARD] and mine["fresh_as_of"]
    for group in ("reminded", "held_out"):  # never a small number, whatever else is hidden
        for count in ("reminders", "completed"):
            assert mine["rows"][0][group][count] not in range(1, 10)
    other = bearer(token, role="ward_officer", ward="00004")
    refused = await http.get(f"{RECORDS}/v1/stats/{query}", headers=other)
    assert refused.status_code == 403
    as_csv = await http.get(f"{RECORDS}/v1/stats/{query}",
                            headers={**leader, "Accept": "text/csv"})  # fmt: skip
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "reminded.completed_percent" in as_csv.text.splitlines()[0]


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
