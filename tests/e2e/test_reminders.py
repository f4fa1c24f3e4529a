"""A citizen sees their own reminders, in Vietnamese; nobody else's; and each attempt reaches the
citizen's access log through the audit topic."""

from __future__ import annotations

import asyncio

import pytest

from hssk_cli import stack
from hssk_contracts import topics
from tests.e2e.test_visit_flow import example_visit, for_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")
NOTIFY = stack.BY_NAME["notify"].url


async def test_a_citizen_reads_their_reminders_and_only_theirs(producer, tail, http, token, uid):
    changes, reminders = await tail(topics.RECORDS_CHANGE), await tail(topics.NOTIFY_REMINDER)
    doc = example_visit(uid)
    await send(producer, doc)
    [change] = await changes.wait_for(for_visit(doc["key"]))
    person_id = change.data.person_id
    await reminders.wait_for(lambda e: e.data.person_id == person_id)
    mine = {"Authorization": f"Bearer {token(role='citizen', person_id=person_id)}"}
    listed = (await http.get(f"{NOTIFY}/v1/reminders/{person_id}", headers=mine)).json()
    [incomplete] = [r for r in listed["reminders"] if r["kind"] == "incomplete_profile"]
    assert incomplete["item"] == change.data.completeness.best_next
    stranger = "00000000-0000-4000-8000-00000000beef"
    other = {"Authorization": f"Bearer {token(role='citizen', person_id=stranger)}"}
    denied = await http.get(f"{NOTIFY}/v1/reminders/{person_id}", headers=other)
    assert denied.status_code == 404  # the same answer as for no such citizen
    log_url = f"{stack.BY_NAME['records'].url}/v1/me/access-log"
    for _ in range(50):  # the audit topic reaches records' log within moments
        seen = (await http.get(log_url, headers=mine)).json()["entries"]
        notify_entries = [e for e in seen if e["service"] == "notify"]
        if len(notify_entries) == 2:
            break
        await asyncio.sleep(0.2)
    assert [(e["action"], e["outcome"]) for e in notify_entries] == [
        ("reminders.read", "denied"),
        ("reminders.read", "allowed"),
    ]
