"""A hostile message on any topic a worker consumes never stops it: for every consumed topic a
hostile message (a lone surrogate, broken UTF-8, a control-character name, garbage) is
published, then a good one. The good one must take effect, the hostile one must be
dead-lettered with where it came from, and the worker must still be the same process."""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from hssk_cli import procs, stack
from hssk_cli.paths import Layout, repo_root
from hssk_contracts import codec, topics
from hssk_contracts.envelope import derive_event_id
from hssk_contracts.events import (
    AccessData,
    AccessRecorded,
    Completeness,
    ContactChanged,
    ContactData,
    PersonMerged,
    PersonSnapshot,
    RecordChanged,
    RecordChangedData,
    ReminderOutcomeData,
    ReminderSent,
    Source,
    VisitAccepted,
    VisitAcceptedData,
    VisitResolved,
    VisitResolvedData,
)
from hssk_contracts.visit import Visit
from hssk_kit import devtokens
from hssk_records.domain.stats import regions
from tests.conftest import SUMMARIES
from tests.e2e.test_hospital_formats import SAMPLES, fresh, tables
from tests.e2e.test_visit_flow import example_visit, send

pytestmark = pytest.mark.usefixtures("platform_up")

SURROGATE = rb'{"event_id": "poison-\ud800-000001", "type": "VisitSubmitted"}'
HOSTILE = [
    pytest.param(SURROGATE, id="lone-surrogate"),
    pytest.param(b"\xff\xfe\x00garbage", id="broken-utf8"),
    pytest.param(b"[" * 50_000, id="deep-nesting"),
]


@dataclass(frozen=True)
class Case:
    topic: topics.Topic
    worker: str
    dlq: topics.Topic
    # (uid, producer, tail) -> raw good message, its key, and how to see it took effect
    good: Callable[..., Awaitable[tuple[bytes, str, Callable | str]]]


def visit_of(uid: str) -> Visit:
    return Visit.model_validate(example_visit(uid)["data"])


async def good_json(uid, producer, tail):
    doc = example_visit(uid)
    raw = json.dumps(doc, ensure_ascii=False).encode()
    return raw, doc["key"], lambda e: e.data.visit_key == doc["key"]


async def good_xml(uid, producer, tail):
    visit_id = f"PX{uid}"
    raw = fresh(tables("same-visit"), "NT2026111800045", visit_id, "079052001234")
    key = f"79001:{visit_id}"
    return raw, key, lambda e: e.data.visit_key == key


async def good_fhir(uid, producer, tail):
    bundle = (SAMPLES / "same-visit" / "fhir.json").read_text(encoding="utf-8")
    visit_id, cccd = f"PF{uid}", "079052" + f"{random.randrange(10**6):06d}"
    raw = bundle.replace("NT2026111800045", visit_id).replace("079052001234", cccd).encode()
    key = f"79001:{visit_id}"
    return raw, key, lambda e: e.data.visit_key == key


async def good_accepted(uid, producer, tail):
    visit = visit_of(uid)
    event = VisitAccepted.new(
        event_id=str(uuid.uuid4()), producer="test", key=visit.key,
        data=VisitAcceptedData(visit=visit, source=Source(format="json"),
                               content_hash=uuid.uuid4().hex),
    )  # fmt: skip
    return codec.encode(event), visit.key, lambda e: e.data.visit.key == visit.key


async def good_resolved(uid, producer, tail):
    visit, person = visit_of(uid), str(uuid.uuid4())
    event = VisitResolved.new(
        event_id=str(uuid.uuid4()), producer="test", key=person,
        data=VisitResolvedData(person_id=person, visit=visit, decision="created",
                               matched_on="cccd", accepted_event_id=str(uuid.uuid4()),
                               content_hash=uuid.uuid4().hex),
    )  # fmt: skip
    return codec.encode(event), person, lambda e: e.data.visit_key == visit.key


async def good_access(uid, producer, tail):
    person = str(uuid.uuid4())
    event = AccessRecorded.new(
        event_id=str(uuid.uuid4()), producer="test", key=person,
        data=AccessData(subject=person, person_id=person, actor=f"t-{uid}", role="doctor",
                        service="test", action="record.read", purpose="treatment",
                        outcome="allowed", at=datetime.now(UTC)),
    )  # fmt: skip
    return codec.encode(event), person, person  # checked through the citizen's access log


async def good_change(uid, producer, tail):
    person = str(uuid.uuid4())
    event = RecordChanged.new(
        event_id=derive_event_id("poison-test", uid), producer="test", key=person,
        data=RecordChangedData(person_id=person, version=1, change="visit_added",
                               cause_event_id=uid,
                               completeness=Completeness(filled=10, total=46,
                                                         missing=["blood_group"],
                                                         best_next="blood_group")),
    )  # fmt: skip
    return codec.encode(event), person, lambda e: e.data.person_id == person


async def good_change_folded(uid, producer, tail):
    """A record change folded into the statistics: the figures' count of folded changes grows."""
    raw, person, _ = await good_change(uid, producer, tail)
    url = f"{stack.BY_NAME['records'].url}/v1/stats/completeness?level=city"

    async def folded(http) -> int:
        private, _ = devtokens.ensure_keys(repo_root() / ".hssk" / "keys")
        leader = {"Authorization": f"Bearer {devtokens.mint(private, role='leader')}"}
        return (await http.get(url, headers=leader)).json()["changes_folded"]

    async with httpx.AsyncClient(timeout=10) as http:
        before = await folded(http)

    async def counted(http, token) -> None:
        for _ in range(150):
            if await folded(http) > before:
                return
            await asyncio.sleep(0.2)
        raise AssertionError("the statistics never folded the good change")

    return raw, person, counted


async def good_reminder(uid, producer, tail):
    """A reminder sent to a citizen of a ward no other test uses: the ward's row appears in the
    reminders' statistics (its one reminder hidden by the gate, but counted)."""
    person = str(uuid.uuid4())
    ward = random.choice(regions.wards_of("42"))  # Hà Tĩnh: no other test counts there
    event = ReminderSent.new(
        event_id=derive_event_id("poison-test", uid), producer="test", key=person,
        data=ReminderOutcomeData(reminder_id=f"{person}:incomplete_profile:height:2026-W50",
                                 person_id=person, kind="incomplete_profile",
                                 campaign="incomplete_profile:2026-Q4", channel="sms",
                                 cause_event_id=uid, group="reminded", ward_code=ward),
    )  # fmt: skip
    url = f"{stack.BY_NAME['records'].url}/v1/stats/reminders?level=ward&ward={ward}"

    async def counted(http, token) -> None:
        leader = {"Authorization": f"Bearer {token(role='leader')}"}
        for _ in range(150):
            if (await http.get(url, headers=leader)).json()["rows"]:
                return
            await asyncio.sleep(0.2)
        raise AssertionError("the statistics never folded the reminder")

    return codec.encode(event), person, counted


async def good_contact(uid, producer, tail):
    """A citizen's phone number: notify can reach them by SMS and Zalo, as they can read."""
    person = str(uuid.uuid4())
    event = ContactChanged.new(
        event_id=derive_event_id("poison-test", uid), producer="test", key=person,
        data=ContactData(person_id=person, phone="0912345678", version=1),
    )  # fmt: skip

    async def reachable(http, token) -> None:
        url = f"{stack.BY_NAME['notify'].url}/v1/me/preferences"
        headers = {"Authorization": f"Bearer {token(role='citizen', person_id=person)}"}
        for _ in range(150):
            if (await http.get(url, headers=headers)).json()["reachable"] == ["sms", "zalo"]:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"notify never learnt how to reach {person}")

    return codec.encode(event), person, reachable


async def good_person(uid, producer, tail):
    """A merge of two records made for the test: records moves the history and announces it."""
    changes = await tail(topics.RECORDS_CHANGE)
    survivor, merged = str(uuid.uuid4()), str(uuid.uuid4())
    for person in (survivor, merged):
        raw, _, _ = await good_resolved(f"{uid}{person[:4]}", producer, tail)
        event = codec.decode(topics.RECORDS_VISIT.name, raw)
        event = event.model_copy(update={"key": person, "data": event.data.model_copy(
            update={"person_id": person})})  # fmt: skip
        await send(producer, codec.encode(event), key=person, topic=topics.RECORDS_VISIT.name)
        await changes.wait_for(lambda e, p=person: e.data.person_id == p, seconds=30)
    snapshot = PersonSnapshot(person_id=merged, version=2, identifiers=[], name="Trần Văn Minh",
                              merged_into=survivor)  # fmt: skip
    event = PersonMerged.new(event_id=str(uuid.uuid4()), producer="test", key=merged,
                             data=snapshot)  # fmt: skip
    return (
        codec.encode(event),
        merged,
        (lambda e: e.data.person_id == survivor and e.data.change == "person_merged"),
    )


CASES = [
    Case(topics.EMR_VISIT, "ingest-emr", topics.EMR_VISIT_DLQ, good_json),
    Case(topics.EMR_VISIT_XML130, "ingest-emr", topics.EMR_VISIT_DLQ, good_xml),
    Case(topics.EMR_VISIT_FHIR, "ingest-emr", topics.EMR_VISIT_DLQ, good_fhir),
    Case(topics.EMR_VISIT_ACCEPTED, "identity", topics.PLATFORM_DLQ, good_accepted),
    Case(topics.RECORDS_VISIT, "records", topics.PLATFORM_DLQ, good_resolved),
    Case(topics.IDENTITY_PERSON, "records", topics.PLATFORM_DLQ, good_person),
    Case(topics.AUDIT_ACCESS, "records", topics.PLATFORM_DLQ, good_access),
    Case(topics.RECORDS_CHANGE, "notify", topics.PLATFORM_DLQ, good_change),
    Case(topics.RECORDS_CHANGE, "records", topics.PLATFORM_DLQ, good_change_folded),
    Case(topics.RECORDS_CONTACT, "notify", topics.PLATFORM_DLQ, good_contact),
    Case(topics.NOTIFY_REMINDER, "records", topics.PLATFORM_DLQ, good_reminder),
]
SURVIVED: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    if SURVIVED:
        line = (f"poison messages: {len(SURVIVED)} hostile messages on {len(set(SURVIVED))} "
                "topics dead-lettered, the next one applied, no worker restarted")  # fmt: skip
        request.config.stash.setdefault(SUMMARIES, []).append(line)


EFFECT = {  # where a good message shows it took effect
    topics.EMR_VISIT_ACCEPTED.name: topics.RECORDS_VISIT,
    topics.RECORDS_CHANGE.name: topics.NOTIFY_REMINDER,
}


def the_topics_consumed_are_all_covered() -> None:
    consumed = {t.name for t in topics.ALL if set(t.consumers) & set(stack.BY_NAME)}
    assert consumed == {c.topic.name for c in CASES}


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.topic.name}-{c.worker}")
async def test_a_hostile_message_is_dead_lettered_and_the_next_one_applied(
    case, hostile, producer, tail, http, token, uid
):
    layout = Layout(repo_root())
    pid_before = procs.pid_of(layout, case.worker)
    dlq = await tail(case.dlq)
    effects = await tail(EFFECT.get(case.topic.name, topics.RECORDS_CHANGE))
    raw, key, took_effect = await case.good(uid, producer, tail)
    bad_key = f"poison:{uid}"
    await send(producer, hostile, key=bad_key, topic=case.topic.name)
    await send(producer, raw, key=key, topic=case.topic.name)

    [dead] = await dlq.wait_for(
        lambda e: e.data.source_key == bad_key and e.producer == case.worker, seconds=30
    )
    assert dead.data.source_topic == case.topic.name and dead.data.offset is not None
    if isinstance(took_effect, str):  # an access log entry: read it as the citizen would
        await _appears_in_access_log(http, token, took_effect)
    elif inspect.iscoroutinefunction(took_effect):  # seen through an API, as its user would
        await took_effect(http, token)
    else:
        await effects.wait_for(took_effect, seconds=30)
    assert procs.pid_of(layout, case.worker) == pid_before, f"{case.worker} restarted"
    ready = await http.get(f"{stack.BY_NAME[case.worker].url}/readyz")
    assert ready.status_code == 200
    SURVIVED.append(case.topic.name)


async def _appears_in_access_log(http, token, person_id: str) -> None:
    import asyncio

    url = f"{stack.BY_NAME['records'].url}/v1/me/access-log"
    headers = {"Authorization": f"Bearer {token(role='citizen', person_id=person_id)}"}
    for _ in range(100):
        body = (await http.get(url, headers=headers)).json()
        if body["total"] == 1:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"the access entry never reached {person_id}'s log")


def test_every_consumed_topic_has_a_case():
    the_topics_consumed_are_all_covered()
