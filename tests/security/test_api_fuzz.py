"""Property-based fuzz of every service's OpenAPI (schemathesis generates valid and invalid
requests from the document each service serves; hypothesis drives them, bounded), called as a
caller of an allowed role, of a refused role, and with no token. Every answer must be below 500
and documented for its operation; afterwards, targeted calls provoke what random input rarely
reaches, and every status any operation documents must have been seen."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from hssk_cli import stack
from hssk_cli.paths import Layout
from hssk_cli.sandbox.receipts import signature
from hssk_contracts import topics
from tests.conftest import ROOT, SUMMARIES
from tests.e2e.test_hospital_formats import SAMPLES, fresh, tables
from tests.e2e.test_visit_flow import example_visit, send
from tests.security import provoke_records
from tests.security.conftest import FACILITY, OTHER_FACILITY, WARD, Citizen

pytestmark = pytest.mark.usefixtures("platform_up")
EXAMPLES = 20  # per operation and generation mode: a few seconds a service
ANSWER_CHECKS = [content_type_conformance, response_schema_conformance]
BIG = 6 * 1024 * 1024  # over every body limit
Key = tuple[str, str, str]  # service, METHOD, path template
SEEN: dict[Key, set[int]] = defaultdict(set)
TALLY = {"requests": 0, "problems": 0}
CLAIMS = {
    "citizen": {"role": "citizen"},
    "doctor": {"role": "doctor", "facility": FACILITY},
    "ward_officer": {"role": "ward_officer", "ward": WARD},
    "leader": {"role": "leader"},
    "hospital": {"role": "hospital", "facility": FACILITY},
    "operator": {"role": "operator"},
}


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    if TALLY["requests"]:
        line = (f"API fuzz: {TALLY['requests']} generated requests, {TALLY['problems']} answered "
                "500+ or undocumented")  # fmt: skip
        request.config.stash.setdefault(SUMMARIES, []).append(line)


def callers(roles: list[str], token, citizen: Citizen) -> list[dict[str, str]]:
    """No token, each allowed role, and one refused role."""

    def bearer(role: str) -> dict[str, str]:
        claims = (
            {**CLAIMS[role], "person_id": citizen.person_id} if role == "citizen" else CLAIMS[role]
        )
        return {"Authorization": f"Bearer {token(**claims)}"}

    refused = [r for r in CLAIMS if r not in roles][:1]
    return [{}, *(bearer(r) for r in roles), *(bearer(r) for r in refused)]


def fuzz_operation(operation, headers: list[dict[str, str]], problems: list[str]) -> None:
    documented = set(operation.definition.raw["responses"])
    key = (operation.schema.raw_schema["info"]["title"], operation.method.upper(), operation.path)

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])  # fmt: skip
        @given(case=operation.as_strategy(generation_mode=mode), caller=st.sampled_from(headers))
        def call(case, caller) -> None:
            response = case.call(headers=caller, timeout=30)
            SEEN[key].add(response.status_code)
            TALLY["requests"] += 1
            if response.status_code >= 500 or str(response.status_code) not in documented:
                TALLY["problems"] += 1
                problems.append(f"{response.status_code} from {case.as_curl_command(caller)}")
                return
            try:  # the answer is what the document says: its media type and its schema
                case.validate_response(response, checks=ANSWER_CHECKS)
            except Exception as exc:  # schemathesis groups what failed
                TALLY["problems"] += 1
                said = str(exc).strip().splitlines()[:6]
                problems.append(f"{response.status_code} not as documented: {said} from "
                                f"{case.as_curl_command(caller)}")  # fmt: skip

        try:
            call()
        except Unsatisfiable:  # no parameter and no body (GET /fhir/metadata): nothing to break
            if mode is GenerationMode.POSITIVE:
                raise


@pytest.mark.parametrize("service", [s.name for s in stack.SERVICES])
async def test_no_input_makes_a_500_or_an_undocumented_status(service, citizen, token):
    svc = stack.BY_NAME[service]
    schema = schemathesis.openapi.from_url(f"{svc.url}/openapi.json")
    problems: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        roles = operation.definition.raw.get("x-roles", [])
        await asyncio.to_thread(fuzz_operation, operation, callers(roles, token, citizen), problems)
        count += 1
    print(f"fuzz: {service}: {count} operations × {EXAMPLES * 2} cases, {len(problems)} problems")
    assert not problems, "\n".join(problems[:10])


def _record(service: str, method: str, template: str, response: httpx.Response) -> int:
    SEEN[(f"HSSK {service}", method, template)].add(response.status_code)
    return response.status_code


def bearer(token, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


async def test_bodies_of_another_type_or_too_large_are_refused(http, token, citizen):
    """Every operation taking a body, with a token it accepts: text/plain is a 415 and 6 MiB a
    413, before anything is looked up."""
    for svc in stack.SERVICES:
        spec = (await http.get(f"{svc.url}/openapi.json")).json()
        for template, ops in spec["paths"].items():
            for method, operation in ops.items():
                if "requestBody" not in operation:
                    continue
                roles = operation.get("x-roles") or []  # none: a public route
                claims = {**CLAIMS[roles[0]], "person_id": citizen.person_id} if roles else None
                headers = bearer(token, **claims) if claims else {}
                path = re.sub(r"{[^}]+}", str(uuid.uuid4()), template)
                url, typed = svc.url + path, {**headers, "content-type": "text/plain"}
                plain = await http.request(method, url, content=b"{}", headers=typed)
                big = await http.request(method, url, headers=headers, content=b"x" * BIG)
                assert (plain.status_code, big.status_code) == (415, 413), (svc.name, path)
                SEEN[(spec["info"]["title"], method.upper(), template)] |= {415, 413}


async def test_hospital_bundles_are_accepted_or_refused_with_reasons(http, token):
    ingest = stack.BY_NAME["ingest-emr"].url
    hospital = bearer(token, role="hospital", facility=FACILITY)
    uid = uuid.uuid4().hex[:10].upper()
    doc = example_visit(uid)
    visit = await http.post(f"{ingest}/v1/visits", json=doc["data"], headers=hospital)
    assert _record("ingest-emr", "POST", "/v1/visits", visit) == 202
    xml = fresh(tables("same-visit"), "NT2026111800045", f"FZ{uid}", "079052001234")
    fhir_doc = (SAMPLES / "same-visit" / "fhir.json").read_text(encoding="utf-8")
    cccd = f"079052{uuid.uuid4().int % 10**6:06d}"
    fhir = fhir_doc.replace("NT2026111800045", f"FZF{uid}").replace("079052001234", cccd)
    other = bearer(token, role="hospital", facility=OTHER_FACILITY)
    theirs = await http.post(f"{ingest}/v1/visits", json=doc["data"], headers=other)
    assert _record("ingest-emr", "POST", "/v1/visits", theirs) == 403
    bundles = [("/v1/visits/qd130", xml, "application/xml"),
               ("/v1/visits/fhir", fhir.encode(), "application/fhir+json")]  # fmt: skip
    for path, raw, kind in bundles:
        typed = {**hospital, "content-type": kind}
        answers = [
            await http.post(ingest + path, content=raw, headers=typed),
            await http.post(ingest + path, content=raw[: len(raw) // 2], headers=typed),
            await http.post(
                ingest + path, content=raw, headers={**typed, "content-type": "text/plain"}
            ),
            await http.post(ingest + path, content=b"x" * BIG, headers=typed),
        ]
        statuses = [_record("ingest-emr", "POST", path, a) for a in answers]
        assert statuses == [202, 422, 415, 413], answers[0].text


async def test_rare_answers_are_really_given(http, token, citizen, producer, tail):
    """What random input rarely reaches: one's own record, a merged record, a limit reached,
    an action refused in the current state, a dead letter read and replayed."""
    records = stack.BY_NAME["records"].url
    mine = bearer(token, role="citizen", person_id=citizen.person_id)
    own = await http.get(f"{records}/v1/records/{citizen.person_id}", headers=mine)
    assert _record("records", "GET", "/v1/records/{person_id}", own) == 200
    log = await http.get(f"{records}/v1/me/access-log", headers=mine)
    assert _record("records", "GET", "/v1/me/access-log", log) == 200
    identity, op = stack.BY_NAME["identity"].url, bearer(token, role="operator")
    person = await http.get(f"{identity}/v1/persons/{citizen.person_id}", headers=op)
    assert _record("identity", "GET", "/v1/persons/{person_id}", person) == 200
    lookup = await http.post(f"{identity}/v1/resolve", json=a_person(create=False), headers=op)
    assert _record("identity", "POST", "/v1/resolve", lookup) == 200
    await _merged_record_is_gone(http, token)
    await _emergency_limits(http, token, citizen)
    await provoke_records.own_record(http, token, citizen, _record)
    await provoke_records.shares(http, token, citizen, _record)
    await provoke_records.qr_codes(http, token, citizen, _record)
    await _review_resolved_once(http, token)
    clock = await http.put(f"{stack.BY_NAME['notify'].url}/v1/dev/clock", headers=op,
                           json={"at": datetime.now(UTC).isoformat()})  # fmt: skip
    assert _record("notify", "PUT", "/v1/dev/clock", clock) == 200
    await _signed_receipt(http)
    await _dead_letter_read_and_replayed(http, token, producer, tail)


async def _signed_receipt(http) -> None:
    """A provider's receipt signed with the shared secret, for a message that is not ours."""
    secret = stack.receipt_secret(Layout(ROOT)).read_bytes().strip()
    raw = json.dumps({"request_id": "nobody:sms", "message_id": "m", "status": "DELIVERED",
                      "done_at": datetime.now(UTC).isoformat()}).encode()  # fmt: skip
    headers = {"Content-Type": "application/json", "X-HSSK-Signature": signature(secret, raw)}
    url = f"{stack.BY_NAME['notify'].url}/v1/receipts/sms"
    answer = await http.post(url, content=raw, headers=headers)
    assert _record("notify", "POST", "/v1/receipts/{channel}", answer) == 200, answer.text


async def _merged_record_is_gone(http, token) -> None:
    """A person with a record merged into another: their old id answers 410, then unmerged."""
    identity, records = stack.BY_NAME["identity"].url, stack.BY_NAME["records"].url
    op = bearer(token, role="operator")
    hospital = bearer(token, role="hospital", facility=FACILITY)
    doc = example_visit(uuid.uuid4().hex[:10].upper())
    accepted = await http.post(f"{stack.BY_NAME['ingest-emr'].url}/v1/visits",
                               json=doc["data"], headers=hospital)  # fmt: skip
    assert accepted.status_code == 202, accepted.text
    lookup = {"name": doc["data"]["patient"]["name"],
              "identifiers": doc["data"]["patient"]["identifiers"]}  # fmt: skip
    for _ in range(100):  # identity registers the visit's citizen from the stream
        merged = (await http.post(f"{identity}/v1/resolve", json=lookup, headers=op)).json()
        if merged.get("person_id"):
            break
        await asyncio.sleep(0.1)
    merged_id = merged["person_id"]
    survivor = (await http.post(f"{identity}/v1/resolve", headers=op, json=a_person())).json()
    merge = {"survivor_id": survivor["person_id"], "merged_id": merged_id}
    first = await http.post(f"{identity}/v1/merges", json=merge, headers=op)
    assert _record("identity", "POST", "/v1/merges", first) == 200
    again = await http.post(f"{identity}/v1/merges", json=merge, headers=op)
    assert _record("identity", "POST", "/v1/merges", again) == 409
    theirs = bearer(token, role="citizen", person_id=merged_id)
    for _ in range(300):  # records learns of the merge through identity.person.v1
        gone = await http.get(f"{records}/v1/records/{merged_id}", headers=theirs)
        if gone.status_code == 410:
            break
        await asyncio.sleep(0.1)
    assert _record("records", "GET", "/v1/records/{person_id}", gone) == 410
    assert gone.json()["merged_into"] == survivor["person_id"]
    gone_for_me = await http.get(f"{records}/v1/me", headers=theirs)
    assert _record("records", "GET", "/v1/me", gone_for_me) == 410
    for view in ("", "/$summary", "/$everything"):  # the FHIR read side answers alike
        fhir_gone = await http.get(f"{records}/fhir/Patient/{merged_id}{view}", headers=theirs)
        assert _record("records", "GET", "/fhir/Patient/{person_id}" + view, fhir_gone) == 410
        assert fhir_gone.json()["resourceType"] == "OperationOutcome"
    undo = await http.delete(f"{identity}/v1/merges/{merged_id}", headers=op)
    assert _record("identity", "DELETE", "/v1/merges/{merged_id}", undo) == 200
    for who, expected in ((uuid.uuid4(), 404), (survivor["person_id"], 409)):  # unknown; unmerged
        answer = await http.delete(f"{identity}/v1/merges/{who}", headers=op)
        assert _record("identity", "DELETE", "/v1/merges/{merged_id}", answer) == expected


def a_person(**more) -> dict:
    """A registration body of a new person with a birth date and a personal ID of their own."""
    cccd = f"001190{uuid.uuid4().int % 10**6:06d}"
    return {"name": "Lê Thị Hoa", "birth_date": "1990-01-01", "sex": "female", "create": True,
            "identifiers": [{"type": "cccd", "value": cccd}], **more}  # fmt: skip


async def _emergency_limits(http, token, citizen) -> None:
    records = stack.BY_NAME["records"].url
    doctor = bearer(token, role="doctor", facility="79099", subject=f"bs-{uuid.uuid4().hex[:6]}")
    body = {"purpose": "unconscious_patient", "reason": "bệnh nhân hôn mê, cần tiền sử dị ứng"}
    template = "/v1/records/{person_id}/emergency-access"
    nobody = await http.post(f"{records}/v1/records/{uuid.uuid4()}/emergency-access",
                             json=body, headers=doctor)  # fmt: skip
    assert _record("records", "POST", template, nobody) == 404
    url = f"{records}/v1/records/{citizen.person_id}/emergency-access"
    statuses = []
    for _ in range(10):
        answer = await http.post(url, json=body, headers=doctor)
        statuses.append(_record("records", "POST", template, answer))
    assert statuses == [201] * 9 + [429]  # the 404 above used the first of ten


async def _review_resolved_once(http, token) -> None:
    """Someone else's personal ID with another name and birth date: a review, resolvable once."""
    identity = stack.BY_NAME["identity"].url
    op = bearer(token, role="operator")
    holder = a_person()
    await http.post(f"{identity}/v1/resolve", json=holder, headers=op)
    stranger = {**holder, "name": "Phạm Văn Quang", "birth_date": "1950-06-06", "sex": "male"}
    review = (await http.post(f"{identity}/v1/resolve", json=stranger, headers=op)).json()
    assert review["decision"] == "review", review
    url = f"{identity}/v1/review-queue/{review['review_id']}/resolve"
    template = "/v1/review-queue/{review_id}/resolve"
    for expected in (200, 409):
        answer = await http.post(url, json={"resolution": "new_person"}, headers=op)
        assert _record("identity", "POST", template, answer) == expected


async def _dead_letter_read_and_replayed(http, token, producer, tail) -> None:
    ingest = stack.BY_NAME["ingest-emr"].url
    op = bearer(token, role="operator")
    dlq = await tail(topics.EMR_VISIT_DLQ)
    doc = example_visit(uuid.uuid4().hex[:10].upper())
    doc["data"]["discharged_at"] = "2026-11-18T12:00:00+07:00"  # before admission at 14:00
    await send(producer, doc)
    [rejected] = await dlq.wait_for(lambda e: e.data.source_key == doc["key"], seconds=30)
    letter = f"{ingest}/v1/dlq/{rejected.event_id}"
    assert (
        _record("ingest-emr", "GET", "/v1/dlq/{dlq_id}", await http.get(letter, headers=op)) == 200
    )
    template = "/v1/dlq/{dlq_id}/replay"
    doc["data"]["discharged_at"] = "2026-11-18T16:00:00+07:00"
    fixed = {"corrected_payload": json.dumps(doc, ensure_ascii=False)}
    for body, expected in ((None, 422), (fixed, 200), (fixed, 409)):
        answer = await http.post(f"{letter}/replay", json=body, headers=op)
        assert _record("ingest-emr", "POST", template, answer) == expected, answer.text


async def test_every_documented_status_was_really_returned(http):
    """Run last: the fuzz and the targeted calls above must have seen each documented status."""
    missing: list[str] = []
    for svc in stack.SERVICES:
        spec: dict[str, Any] = (await http.get(f"{svc.url}/openapi.json")).json()
        for path, ops in spec["paths"].items():
            for method, operation in ops.items():
                seen = SEEN[(spec["info"]["title"], method.upper(), path)]
                unseen = {int(s) for s in operation["responses"]} - seen
                missing += [f"{svc.name} {method.upper()} {path}: {s}" for s in sorted(unseen)]
    assert not missing, "documented but never returned:\n" + "\n".join(missing)
