"""`hssk demo`: eight weeks of visits of a small synthetic city (real wards of Hà Nội and TP Hồ Chí
Minh, hssk_cli.city), published as hospitals would."""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx

from hssk_cli import city, stack, synth, watch
from hssk_cli.paths import Layout
from hssk_contracts.events import VisitSubmitted
from hssk_kit import devtokens

CITIZENS_SEED = 2026
WEEKS = 8


def run(layout: Layout, visits: int | None = None, citizens: int = 2_000, wards: int = 6) -> int:
    """`citizens` people of `wards` wards (split between Hà Nội and HCM), their visits of the last
    eight weeks (about 1.5 each), or the latest `visits` of them when given."""
    return asyncio.run(_run(_events(visits, citizens, wards), wards, layout))


def _qr_page(layout: Layout, person_id: str, ward: str | None) -> str:
    """A fresh QR code's URL for the citizen, issued as their ward's officer would."""
    private, _ = devtokens.ensure_keys(layout.keys)
    officer = devtokens.mint(private, role="ward_officer", ward=ward or "00000")
    url = f"{stack.BY_NAME['records'].url}/v1/records/{person_id}/qr"
    try:
        answer = httpx.post(url, headers={"Authorization": f"Bearer {officer}"}, timeout=10)
        return str(answer.json()["url"]) if answer.status_code == 201 else answer.text[:200]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return f"(no QR code: {exc!r})"


def _events(cap: int | None, citizens: int, wards: int) -> list[VisitSubmitted]:
    now = datetime.now(UTC)
    town = city.City.of(seed=CITIZENS_SEED, wards=wards, on=now.date())
    people = town.citizens(citizens)
    rng = random.Random()  # new visits each run, for the same citizens
    prefix = f"DEMO-{uuid.uuid4().hex[:6].upper()}-"
    visits = [v for p in people for v in town.visits(p, rng, now=now, weeks=WEEKS, prefix=prefix)]
    if not visits and people:  # a tiny city may have had no visit: give its first citizen one
        visits = town.visits(people[0], rng, now=now, weeks=WEEKS, count=1, prefix=prefix)
    visits.sort(key=lambda v: v.admitted_at)
    latest = visits if cap is None else visits[max(len(visits) - cap, 0) :]
    return [synth.submitted(v) for v in latest]


async def _run(events: list[VisitSubmitted], wards: int, layout: Layout) -> int:
    if not events:
        print("hssk demo: nothing to publish (no citizens or --visits 0)", file=sys.stderr)
        return 1
    visits, citizens = len(events), len({e.data.patient.identifiers[0].value for e in events})
    consumer = await watch.change_watcher(stack.BOOTSTRAP)
    try:
        started = time.monotonic()
        await watch.publish_visits(stack.BOOTSTRAP, events)
        timeout = max(120.0, visits / 40)
        seen = await watch.wait_for_changes(consumer, {e.key for e in events}, timeout_s=timeout)
    finally:
        await consumer.stop()
    elapsed = time.monotonic() - started
    if len(seen) < visits:
        print(
            f"hssk demo: only {len(seen)}/{visits} visits reached the records in time; "
            "see `hssk dev logs`",
            file=sys.stderr,
        )
        return 1
    today = datetime.now(UTC).date()  # the example: a citizen with an appointment to come
    first = next((e.data for e in events if (e.data.revisit_date or today) > today), events[0].data)
    person_id = seen[first.key][1]
    records, token = stack.BY_NAME["records"].url, ".venv/bin/hssk token"
    notify = stack.BY_NAME["notify"].url
    ward = first.patient.commune_code
    page = _qr_page(layout, person_id, ward)
    print(
        f"demo: {visits} visits of the last {WEEKS} weeks for {citizens} citizens of {wards} "
        f"wards applied in {elapsed:.1f}s\n"
        f"  the citizen's page, as their QR code opens it (a phone-sized browser window; the code\n"
        f"  works once, then {records}/me keeps the session):\n"
        f"    {page}\n"
        f"  the same record as their doctor sees it (sign in as a doctor of facility "
        f"{first.facility_code}):\n"
        f"    {records}/doctor/{person_id}\n"
        f"  the city's dashboard (sign in as a leader) and the ward officer's desk (sign in as\n"
        f"  the health officer of ward {ward}: QR sheets, the review queue, the worklist):\n"
        f"    {records}/leader\n"
        f"    {records}/desk\n"
        f"  (staff sign in on the dev stack at {records}/staff)\n"
        f"  read one record as a doctor of facility {first.facility_code}:\n"
        f'    curl -s -H "Authorization: Bearer $({token} --role doctor '
        f'--facility {first.facility_code})" {records}/v1/records/{person_id}\n'
        f"  the same citizen's own record, what is missing, and who looked at it:\n"
        f'    curl -s -H "Authorization: Bearer $({token} --role citizen '
        f'--person-id {person_id})" {records}/v1/me\n'
        f"  a QR code for them to fill it in, as their ward's health officer prints it:\n"
        f'    curl -s -X POST -H "Authorization: Bearer $({token} --role ward_officer '
        f'--ward {ward})" "{records}/v1/records/{person_id}/qr?format=svg" > qr.svg\n'
        f"  the reminders notify sent them (the dev sandbox stands in for SMS, Zalo and e-mail):\n"
        f"    .venv/bin/hssk notify outbox\n"
        f'    curl -s -H "Authorization: Bearer $({token} --role citizen '
        f'--person-id {person_id})" {notify}/v1/reminders/{person_id}\n'
        f"  the ward's worklist of citizens no channel reaches, and the reminders' effect:\n"
        f'    curl -s -H "Authorization: Bearer $({token} --role ward_officer '
        f'--ward {ward})" "{notify}/v1/worklist?ward={ward}"\n'
        f'    curl -s -H "Authorization: Bearer $({token} --role leader)" '
        f'"{records}/v1/stats/reminders?level=city"\n'
        f"  the city's statistics, as a leader reads them (small cells hidden; CSV on request):\n"
        f'    curl -s -H "Authorization: Bearer $({token} --role leader)" '
        f'"{records}/v1/stats/completeness?level=ward"\n'
        f'    curl -s -H "Authorization: Bearer $({token} --role leader)" '
        f'"{records}/v1/stats/conditions?by=ward&condition=hypertension"\n'
        f'    curl -s -H "Accept: text/csv" -H "Authorization: Bearer $({token} --role leader)" '
        f'"{records}/v1/stats/visits?level=province"\n'
        f"  and as the ward's health officer reads theirs:\n"
        f'    curl -s -H "Authorization: Bearer $({token} --role ward_officer --ward {ward})" '
        f'"{records}/v1/stats/completeness?level=ward&ward={ward}"'
    )
    return 0
