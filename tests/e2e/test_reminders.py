"""A citizen sees their own reminders, in Vietnamese; nobody else's; and each read is audited."""

from __future__ import annotations

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
    assert incomplete["message_vi"].startswith("Hồ sơ sức khỏe của bạn còn thiếu")
    other = {"Authorization": f"Bearer {token(role='citizen', person_id='someone-else')}"}
    denied = await http.get(f"{NOTIFY}/v1/reminders/{person_id}", headers=other)
    assert denied.status_code == 403
