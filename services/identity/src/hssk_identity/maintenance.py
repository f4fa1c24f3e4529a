"""Operators keeping the index fit. `hssk identity reblock` files every person under the
blocking keys of today's rules (docs/identity-matching.md), so that a person registered before a
rule was added can be found by it: run it once after an upgrade that adds blocking keys.
Idempotent (a key already there stays, a person already listed is not listed twice) and
resumable (`--after` the last person id it printed)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

from hssk_identity.domain import matching
from hssk_identity.ports import Index

BATCH = 500


async def reblock(
    index: Index, *, after: str = "", batch: int = BATCH, progress: Callable[[int, str], None]
) -> int:
    """Every person after `after`, in id order, filed under its blocking keys; how many."""
    done = 0
    while persons := await index.persons.page(after, batch):
        members: dict[str, list[str]] = {}
        for person in persons:
            if person.merged_into:  # found through its survivor
                continue
            for key in matching.blocking_keys(person.demographics()):
                members.setdefault(key, []).append(person.person_id)
        existing = set(await index.blocks.lists(list(members)))
        await index.blocks.add_all(members, existing)
        done, after = done + len(persons), persons[-1].person_id
        progress(done, after)
    return done


def main(mongo_url: str, mongo_db: str = "hssk_identity", after: str = "") -> int:
    """`hssk identity reblock`: prints progress and a summary; 1 if MongoDB failed (resume with
    `--after` the last id printed)."""
    from hssk_identity.bootstrap import build_index
    from hssk_kit import mongo

    started = time.perf_counter()

    def progress(done: int, last: str) -> None:
        print(f"reblocked {done} persons (last {last})", flush=True)

    async def run() -> int:
        client, db = mongo.connect(mongo_url, mongo_db)
        try:
            return await reblock(build_index(db), after=after, progress=progress)
        finally:
            await client.close()

    try:
        done = asyncio.run(run())
    except Exception as exc:  # the engines: say so, and how to resume
        print(f"REBLOCK failed: {exc}; run again with --after the last id above", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(
        f"REBLOCK persons={done} seconds={seconds:.1f} per_s={done / seconds if seconds else 0:.0f}"
    )
    return 0
