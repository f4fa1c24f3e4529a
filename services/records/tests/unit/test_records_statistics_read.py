"""The statistics as the API answers them, from tallies on the in-memory store: a small cell
hidden and not recoverable from its province's total, a hidden ward rolled up into its province,
rates flagged, ages counted at query time, a ward officer kept to their ward, and the figures
refreshed only from what was written since."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest

from hssk_kit.auth import Principal
from hssk_records import statistics_read as read
from hssk_records.adapters.memory import InMemoryStatsStore
from hssk_records.domain.stats.disclosure import Policy
from hssk_records.domain.stats.journal import Catalog, tally_id
from hssk_records.statistics_read import StatsView

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
SAI_GON, BEN_THANH, VUNG_TAU, HOAN_KIEM = "26740", "26743", "26506", "00070"
LEADER = Principal(subject="leader:1", role="leader")


def officer(ward: str) -> Principal:
    return Principal(subject=f"officer:{ward}", role="ward_officer", ward=ward)


class City:
    """Tallies written as the fold writes them, split over two partitions."""

    def __init__(self) -> None:
        self.store = InMemoryStatsStore()
        self.offset = 0

    def people(self, ward: str, n: int, *, sex="female", born=1960, complete=0, conditions=()):
        province = "79" if ward.startswith("2") else "01"
        shares = {"citizens": n, "band|50-74": n - complete, "band|100": complete,
                  "complete": complete, "missing|blood_group": n - complete}  # fmt: skip
        cells = {
            f"completeness|{province}": {f"{ward}|{k}": v for k, v in shares.items()},
            f"population|{province}": {f"{ward}|{sex}|{born}": n},
            **{f"conditions|{province}|{c}": {f"{ward}|{sex}|{born}": k} for c, k in conditions},
        }
        self.write(cells, partition=self.offset % 2)

    def visits(self, ward: str, week: str, chapter: str, n: int) -> None:
        self.write({f"visits|{week}": {f"{ward}|{chapter}": n}}, partition=self.offset % 2)

    def write(self, cells: dict[str, dict[str, int]], partition: int) -> None:
        self.offset += 1
        catalog = self.store.catalog.get(("", partition)) or Catalog(partition)
        docs = dict(catalog.docs)
        for doc, counts in cells.items():
            tally = tally_id(doc, partition)
            self.store.counts.setdefault(tally, Counter()).update(counts)
            docs[tally] = self.offset
        self.store.catalog[("", partition)] = Catalog(partition, self.offset, NOW.isoformat(), docs)

    async def view(self) -> StatsView:
        view = StatsView(self.store, 2, Policy(), lambda: NOW)
        await view.refresh()
        return view


@pytest.fixture
def city() -> City:
    c = City()
    c.people(SAI_GON, 30, complete=12, conditions=[("diabetes", 12)])
    c.people(BEN_THANH, 25, complete=11, conditions=[("diabetes", 11)])
    c.people(VUNG_TAU, 4, complete=0, conditions=[("diabetes", 4)])  # a tiny ward
    c.people(HOAN_KIEM, 40, sex="male", born=1990, complete=20, conditions=[("asthma", 15)])
    return c


def rows(answer: dict, **match) -> list[dict]:
    return [r for r in answer["rows"] if all(r.get(k) == v for k, v in match.items())]


async def test_a_tiny_wards_figures_are_hidden_and_cannot_be_worked_out_from_its_province(city):
    view = await city.view()
    wards = read.completeness(view, LEADER, "ward")
    [tiny] = rows(wards, area=VUNG_TAU)
    assert tiny["citizens"] is None and tiny["name"] == "Phường Vũng Tàu"
    [province] = rows(read.completeness(view, LEADER, "province"), area="79")
    assert province["citizens"] == 59  # the tiny ward still counts in its province
    shown = sum(r["citizens"] or 0 for r in rows(wards, province="79"))
    assert province["citizens"] - shown >= 10  # a second ward hidden with it
    [rolled] = [h for h in wards["hidden_wards"] if h["area"] == "79"]
    assert rolled["wards_hidden"] == 2 and rolled["together"] == province["citizens"] - shown


async def test_four_diabetics_in_a_ward_show_no_number_and_no_difference_gives_them_away(city):
    view = await city.view()
    answer = read.conditions(view, LEADER, "ward", "*", "*", condition="diabetes")
    [tiny] = rows(answer, area=VUNG_TAU)
    assert tiny["citizens"] is None and tiny["per_1000"] is None and tiny["unstable"]
    [province] = rows(read.conditions(view, LEADER, "province", "*", "*", condition="diabetes"),
                      area="79")  # fmt: skip
    shown = sum(r["citizens"] or 0 for r in rows(answer, province="79"))
    assert province["citizens"] == 27 and province["citizens"] - shown not in range(1, 10)
    [rolled] = [h for h in answer["hidden_wards"] if h["area"] == "79"]
    assert rolled["condition"] == "diabetes" and rolled["wards_hidden"] >= 2
    assert rolled["together"] == province["citizens"] - shown  # the 4 is in there, not alone
    [by_band] = rows(read.conditions(view, LEADER, "ward", "*", "60-79", condition="diabetes"),
                     area=VUNG_TAU)  # fmt: skip
    assert by_band["citizens"] is None  # born 1960: 66 this year


async def test_rates_are_per_1000_of_the_same_sex_and_age_and_flagged_when_few(city):
    view = await city.view()
    [asthma] = rows(read.conditions(view, LEADER, "ward", "male", "18-39"), area=HOAN_KIEM,
                    condition="asthma")  # fmt: skip
    assert (asthma["citizens"], asthma["population"], asthma["per_1000"]) == (15, 40, 375.0)
    assert asthma["unstable"]  # fewer than 20 people


async def test_a_ward_officer_sees_their_ward_and_is_refused_any_other_or_a_province(city):
    view = await city.view()
    mine = read.completeness(view, officer(SAI_GON), "ward")
    assert [r["area"] for r in mine["rows"]] == [SAI_GON] and "hidden_wards" not in mine
    for level, ward in (("ward", BEN_THANH), ("province", None), ("city", None)):
        with pytest.raises(read.Refused) as refused:
            read.completeness(view, officer(SAI_GON), level, ward=ward)
        assert refused.value.status == 403


async def test_visits_by_chapter_and_week_with_small_weeks_hidden(city):
    city.visits(SAI_GON, "2026-W48", "X", 40)
    city.visits(SAI_GON, "2026-W49", "X", 35)
    city.visits(SAI_GON, "2026-W49", "IX", 3)
    view = await city.view()
    answer = read.visits(view, LEADER, "ward", "2026-W40", "2026-W49", ward=SAI_GON)
    got = {(r["week"], r["chapter"]): r["visits"] for r in answer["rows"]}
    assert got[("2026-W48", "X")] == 40
    assert got[("2026-W49", "IX")] is None and got[("2026-W49", "X")] is None  # 38 - 35 = 3
    assert got[("2026-W49", "*")] == 38


async def test_the_figures_follow_new_tallies_and_say_how_fresh_they_are(city):
    view = await city.view()
    assert view.figures.fresh_as_of == NOW.isoformat() and not await view.refresh()
    city.people(VUNG_TAU, 20, complete=5)
    assert await view.refresh()
    [ward] = rows(read.completeness(view, LEADER, "ward"), area=VUNG_TAU)
    assert ward["citizens"] == 24


async def test_while_the_database_is_away_the_last_figures_are_served(city):
    view = await city.view()
    before = view.figures
    calls = 0

    async def away(partitions):
        nonlocal calls
        calls += 1
        raise ConnectionError("FerretDB is restarting")

    city.store.catalogs = away  # type: ignore[method-assign]
    running = asyncio.create_task(view.run(every=0.01))
    await asyncio.sleep(0.1)
    assert not running.done() and calls > 1 and view.figures is before
    running.cancel()


async def test_a_question_asked_is_answered_again_as_soon_as_the_figures_change(city):
    view = await city.view()
    computed: list[int] = []

    def ask() -> int | None:
        computed.append(1)
        [row] = rows(read.completeness(view, LEADER, "ward"), area=VUNG_TAU)
        return row["citizens"]

    assert view.cached("vung-tau", ask) is None and view.cached("vung-tau", ask) is None
    assert len(computed) == 1  # once while the figures stay the same
    city.people(VUNG_TAU, 20, complete=5)
    assert await view.refresh() and len(computed) == 2  # answered again by the refresh
    assert view.cached("vung-tau", ask) == 24 and len(computed) == 2
