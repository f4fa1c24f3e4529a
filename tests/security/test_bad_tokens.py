"""The bad-token suite: one authenticated route of each running service, called with each forged,
stale, ill-typed or ill-sent token, answers 401 with a Bearer challenge and an `unauthenticated`
body (never 403, 404, 422 or 500), and the service counts it under the expected reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from hssk_cli import stack
from hssk_kit import devtokens
from hssk_kit.forged_tokens import FORGED, NONES, Forge, Keys, by_hand, claims, signed
from tests.conftest import ROOT, SUMMARIES

pytestmark = pytest.mark.usefixtures("platform_up")
PERSON = str(uuid.uuid4())
ROUTES = {
    "identity": f"/v1/persons/{PERSON}",
    "records": f"/v1/records/{PERSON}",
    "ingest-emr": "/v1/dlq",
    "notify": f"/v1/reminders/{PERSON}",
}
RESULTS: dict[tuple[str, str], int] = {}  # (variant, service) -> status, for the summary line


@pytest.fixture(scope="module")
def keys() -> Keys:
    private, _ = devtokens.ensure_keys(ROOT / ".hssk" / "keys")  # the key the services trust
    return Keys.of_issuer(private.read_bytes())


def bearer(forge: Forge) -> Callable[[Keys], list[str]]:
    return lambda k: [f"Bearer {forge(k)}"]


SENT: list[tuple[str, str, Callable[[Keys], list[str]]]] = [
    ("no Authorization header", "missing", lambda k: []),
    ("scheme Basic", "missing", lambda k: [f"Basic {signed(k)}"]),
    ("scheme Token", "missing", lambda k: [f"Token {signed(k)}"]),
    ("no scheme", "missing", lambda k: [signed(k)]),
    ("garbage empty (Bearer alone)", "missing", lambda k: ["Bearer"]),
    ("the token twice", "malformed", lambda k: [f"Bearer {signed(k)} {signed(k)}"]),
    ("two Authorization headers", "malformed", lambda k: [f"Bearer {signed(k)}"] * 2),
]
# Besides the variants the unit suite checks too (FORGED), those it names otherwise.
TOKENS: list[tuple[str, str, Forge]] = [
    *FORGED,
    *[
        (f"alg {a}, signed", "algorithm", lambda k, a=a: by_hand({"alg": a}, claims(), b"s"))
        for a in NONES
    ],
    ("sub only spaces", "claims", lambda k: signed(k, claims(sub="   "))),
    ("person_id ../x", "claims", lambda k: signed(k, claims("citizen", person_id="../x"))),
    ("garbage a.b.c", "malformed", lambda k: "a.b.c"),
    ("garbage not base64", "malformed", lambda k: "%%%.&&&.***"),
]
VARIANTS = SENT + [(name, reason, bearer(forge)) for name, reason, forge in TOKENS]


def rejected(metrics: str, service: str, reason: str) -> float:
    labels = (f'reason="{reason}"', f'service="{service}"')
    for line in metrics.splitlines():
        if line.startswith("hssk_auth_rejected_total{") and all(p in line for p in labels):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    if RESULTS:
        services = {service for _, service in RESULTS}
        variants = {name for name, _ in RESULTS}
        others = sum(status != 401 for status in RESULTS.values())
        verdict = f"{others} NOT answered 401" if others else "all 401"
        line = f"bad-token suite: {len(variants)} tokens × {len(services)} services, {verdict}"
        request.config.stash.setdefault(SUMMARIES, []).append(line)


@pytest.mark.parametrize("service", ROUTES)
async def test_a_good_token_gets_past_the_door(http, token, service):
    good = {"Authorization": f"Bearer {token(role='operator')}"}
    if service in ("records", "notify"):
        good = {"Authorization": f"Bearer {token(role='citizen', person_id=PERSON)}"}
    answer = await http.get(stack.BY_NAME[service].url + ROUTES[service], headers=good)
    assert answer.status_code not in (401, 500), answer.text


@pytest.mark.parametrize("service", ROUTES)
@pytest.mark.parametrize(("name", "reason", "forge"), VARIANTS, ids=[v[0] for v in VARIANTS])
async def test_a_bad_token_gets_401(http, keys, service, name, reason, forge):
    url = stack.BY_NAME[service].url
    before = rejected((await http.get(f"{url}/metrics")).text, service, reason)
    sent = httpx.Headers([("Authorization", value) for value in forge(keys)])
    answer = await http.get(url + ROUTES[service], headers=sent)
    RESULTS[(name, service)] = answer.status_code
    assert answer.status_code == 401, answer.text
    assert answer.headers.get("www-authenticate") == "Bearer"
    body = answer.json()
    assert body["error"] == "unauthenticated" and isinstance(body["message"], str), body
    after = rejected((await http.get(f"{url}/metrics")).text, service, reason)
    assert after >= before + 1, f"{service} did not count it as {reason}: {body['message']}"
