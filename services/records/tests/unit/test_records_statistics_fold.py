"""Folding record changes into the statistics on the in-memory stores: each citizen and each
visit counted once whatever is replayed, repeated, late or interrupted by a crash at any write,
a corrected diagnosis moving its visit, and a merge moving the merged citizen's share."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from test_records_handlers import (  # type: ignore[import-not-found]
    CITIZEN,
    NOW,
    OTHER,
    PID,
    apply_visit,
    changes,
    person_event,
    resolved,
    stores,  # noqa: F401  (the fixture)
)

from hssk_contracts.events import PersonMerged
from hssk_kit.fakes import RecordingPublish
from hssk_records import handlers
from hssk_records.adapters.memory import InMemoryStatsStore
from hssk_records.domain.stats import regions
from hssk_records.domain.stats.journal import doc_of
from hssk_records.statistics_fold import fold

WARD = CITIZEN.commune_code
PROVINCE = regions.province_of(WARD)


class World:
    def __init__(self, stores_) -> None:
        self.stores, self.stats, self.publish = stores_, InMemoryStatsStore(), RecordingPublish()
        self.offset = 0
        self.folded: list = []

    async def visit(self, visit_id="LK1", person=PID, **changes_) -> None:
        await apply_visit(resolved(visit_id, person=person, **changes_), self.stores, self.publish)

    def pending(self) -> list:
        """The changes published since the last call, each at its next offset."""
        new = changes(self.publish)[len(self.folded) :]
        out = []
        for change in new:
            out.append((self.offset, change))
            self.offset += 1
        self.folded += new
        return out

    async def fold(self, batch=None, partition: int = 0, stats=None) -> int:
        batch = self.pending() if batch is None else batch
        return await fold(batch, partition, stats=stats or self.stats, stores=self.stores)

    def totals(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for tally, cells in self.stats.counts.items():
            out.setdefault(doc_of(tally), Counter()).update(cells)
        return {doc: Counter({k: n for k, n in c.items() if n}) for doc, c in out.items()}


@pytest.fixture
def world(stores):  # noqa: F811
    return World(stores)


def citizens(world: World) -> int:
    return world.totals()[f"completeness|{PROVINCE}"][f"{WARD}|citizens"]


async def test_a_visit_counts_its_citizen_condition_and_chapter_once(world):
    await world.visit(main_icd10="I10")
    assert await world.fold() == 1
    t = world.totals()
    assert citizens(world) == 1
    [(cell, n)] = t[f"conditions|{PROVINCE}|hypertension"].items()
    assert n == 1 and cell.startswith(f"{WARD}|") and t[f"population|{PROVINCE}"][cell] == 1
    [(week_doc, chapters)] = [(d, c) for d, c in t.items() if d.startswith("visits|")]
    assert week_doc == "visits|2026-W47" and chapters == Counter({f"{WARD}|IX": 1})


async def test_replays_repeats_and_late_changes_change_nothing(world):
    await world.visit("LK1", main_icd10="J06.9")
    await world.visit("LK2", main_icd10="K29.7")
    batch = world.pending()
    await world.fold(batch)
    before = world.totals()
    assert await world.fold(batch) == 0  # redelivered: before the journal's end
    assert await world.fold(batch[1:]) == 0
    again = [(world.offset + i, c) for i, (_, c) in enumerate(batch)]  # resent: new offsets
    world.offset += len(batch)
    assert await world.fold(again) == 2
    late = [(world.offset, batch[0][1])]  # the older change after the newer one
    world.offset += 1
    await world.fold(late)
    assert world.totals() == before and citizens(world) == 1


async def test_a_corrected_diagnosis_moves_its_visit_to_the_new_chapter(world):
    await world.visit("LK1", main_icd10="J06.9")
    await world.fold()
    await world.visit("LK1", main_icd10="I10", revision=2)
    await world.fold()
    visits = [c for d, c in world.totals().items() if d.startswith("visits|")]
    assert visits == [Counter({f"{WARD}|IX": 1})]


async def test_a_merge_moves_the_merged_citizens_share_and_keeps_both_visits(world):
    await world.visit("LK1", person=PID)
    await world.visit("LK2", person=OTHER)
    await world.fold()
    assert citizens(world) == 2
    merged = await person_event(PersonMerged, OTHER, merged_into=PID, cause="m")
    await handlers.on_person_event(
        merged, stores=world.stores, keys=None, publish=world.publish, now=NOW
    )
    await world.fold()
    assert citizens(world) == 1
    visits = sum(c.total() for d, c in world.totals().items() if d.startswith("visits|"))
    assert visits == 2


class CrashOnce(InMemoryStatsStore):
    """The real fake, failing once at one write, as a process killed there would."""

    def __init__(self, at: str) -> None:
        super().__init__()
        self.at = at

    def _killed(self, name: str) -> None:
        if self.at == name:
            self.at = ""
            raise ConnectionError(f"killed before {name}")

    async def save_journal(self, journal) -> None:
        self._killed("save_journal")
        await super().save_journal(journal)

    async def add(self, deltas, offset, known=()) -> None:
        self._killed("add")
        await super().add(deltas, offset, known)

    async def keep(self, people, visits, reminders=None) -> None:
        self._killed("keep")
        await super().keep(people, visits, reminders)

    async def save_catalog(self, catalog) -> None:
        self._killed("save_catalog")
        await super().save_catalog(catalog)


@pytest.mark.parametrize("at", ["save_journal", "add", "keep", "save_catalog"])
async def test_a_crash_at_any_write_is_finished_by_the_next_attempt_and_counts_once(world, at):
    rng = random.Random(at)
    for i in range(6):
        await world.visit(f"LK{i}", person=rng.choice([PID, OTHER]), main_icd10="E11")
    batch = world.pending()
    world.stats = CrashOnce(at)
    with pytest.raises(ConnectionError):
        await world.fold(batch)
    await world.fold(batch)  # redelivered from the last commit
    for one in batch:  # and, as the loop does after a refused batch, one by one
        await world.fold([one])
    reference = World(world.stores)
    await reference.fold(batch)
    assert world.totals() == reference.totals()
    assert sum(world.totals()[f"conditions|{PROVINCE}|diabetes"].values()) == 2


async def test_a_replay_moves_nothing_writes_no_journal_and_keeps_the_freshness(world):
    await world.visit("LK1", main_icd10="J06.9")
    batch = world.pending()
    await world.fold(batch)
    journal, catalog = world.stats.journals[("", 0)], world.stats.catalog[("", 0)]
    older = batch[0][1].model_copy(
        update={"occurred_at": batch[0][1].occurred_at.replace(year=2025)}
    )
    await world.fold([(world.offset, older)])
    assert world.stats.journals[("", 0)] is journal  # nothing to journal
    after = world.stats.catalog[("", 0)]
    assert after.end == world.offset + 1 and after.at == catalog.at  # not made older
