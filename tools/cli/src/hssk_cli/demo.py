"""`hssk demo`: a morning of synthetic visits for a small ward, published as hospitals would."""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid

from hssk_cli import stack, synth, watch
from hssk_cli.paths import Layout

CITIZENS_SEED = 2026


def run(layout: Layout, visits: int, citizens: int = 50) -> int:
    return asyncio.run(_run(visits, citizens))


async def _run(visits: int, citizens: int) -> int:
    people = synth.population(citizens, seed=CITIZENS_SEED)
    rng = random.Random()
    run_id = uuid.uuid4().hex[:6].upper()
    events = [
        synth.submitted(synth.visit(people[i % citizens], rng, visit_id=f"DEMO-{run_id}-{i:05d}"))
        for i in range(visits)
    ]
    consumer = await watch.change_watcher(stack.BOOTSTRAP)
    try:
        started = time.monotonic()
        await watch.publish_visits(stack.BOOTSTRAP, events)
        seen = await watch.wait_for_changes(consumer, {e.key for e in events}, timeout_s=120)
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
    first = events[0].data
    person_id = seen[first.key][1]
    records, token = stack.BY_NAME["records"].url, ".venv/bin/hssk token"
    notify = stack.BY_NAME["notify"].url
    ward = first.patient.commune_code
    print(
        f"demo: {visits} visits for {citizens} citizens applied in {elapsed:.1f}s\n"
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
        f'    curl -s -H "Authorization: Bearer $({token} --role leader)" {notify}/v1/stats'
    )
    return 0
