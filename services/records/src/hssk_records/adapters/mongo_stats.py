"""MongoDB adapter of the statistics' state (a module of its own beside mongo.py, which holds the
records themselves): shares by person and by visit, tally documents of counters, and per
partition a journal and a catalog. Every read and write goes by `_id`: FerretDB v1 scans for
any other filter and for upserts, so a new document is inserted and an existing one updated."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from hssk_kit.mongo import DUPLICATE_KEY, ByIdReader, put_all_by_id
from hssk_records.domain.stats.journal import Catalog, Journal
from hssk_records.domain.stats.shares import PersonShare, ReminderShare, VisitShare


def _person(doc: dict[str, Any]) -> PersonShare:
    doc = {k: v for k, v in doc.items() if k != "_id"}
    return PersonShare(
        **{**doc, "missing": tuple(doc["missing"]), "conditions": tuple(doc["conditions"])}
    )


def _visit(doc: dict[str, Any]) -> VisitShare:
    return VisitShare(**{k: v for k, v in doc.items() if k != "_id"})


def _reminder(doc: dict[str, Any]) -> ReminderShare:
    return ReminderShare(**{k: v for k, v in doc.items() if k != "_id"})


async def _inserted_before(tallies: Any, new: list[dict[str, Any]]) -> set[str]:
    """Insert the `new` tallies; those already there (our own insert sent again, or made
    meanwhile) are returned, to be updated under the offset guard like any other."""
    try:
        await tallies.insert_many(new, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {new[e["index"]]["_id"] for e in errors}
    return set()


def _id(kind: str, partition: int, source: str) -> str:
    """records.change.v1's as they always were ("journal@3"), other sources named."""
    return f"{kind}@{source}@{partition}" if source else f"{kind}@{partition}"


class MongoStatsStore:
    def __init__(self, db: AsyncDatabase):
        self._journals = db["stats_journals"]
        self._catalogs = db["stats_catalogs"]
        self._tallies = db["stats_tallies"]
        self._people = db["stats_people"]
        self._visits = db["stats_visits"]
        self._reminders = db["stats_reminders"]
        self._reminder_reads = ByIdReader(self._reminders)
        self._offsets = ByIdReader(self._tallies, fields=["offset"])
        self._tally_reads = ByIdReader(self._tallies, fields=["counts"])
        self._catalog_reads = ByIdReader(self._catalogs)
        self._people_reads = ByIdReader(self._people)
        self._visit_reads = ByIdReader(self._visits)

    async def journal(self, partition: int, source: str = "") -> Journal | None:
        doc = await self._journals.find_one({"_id": _id("journal", partition, source)})
        if doc is None:
            return None
        return Journal(
            partition=doc["partition"],
            end=doc["end"],
            at=doc["at"],
            deltas=doc["deltas"],
            people={d["_id"]: _person(d) for d in doc["people"]},
            visits={d["_id"]: _visit(d) for d in doc["visits"]},
            reminders={d["_id"]: _reminder(d) for d in doc.get("reminders", [])},
            source=doc.get("source", ""),
        )

    async def save_journal(self, journal: Journal) -> None:
        # shares as lists: a visit key may hold a dot, which a field name must not
        doc = {
            **asdict(journal),
            "people": [{"_id": k, **asdict(v)} for k, v in journal.people.items()],
            "visits": [{"_id": k, **asdict(v)} for k, v in journal.visits.items()],
            "reminders": [{"_id": k, **asdict(v)} for k, v in journal.reminders.items()],
        }
        key = _id("journal", journal.partition, journal.source)
        await put_all_by_id(self._journals, {key: doc})

    async def catalogs(self, partitions: list[int], source: str = "") -> dict[int, Catalog]:
        ids = [_id("catalog", p, source) for p in partitions]
        return {
            d["partition"]: Catalog(
                d["partition"], d["end"], d.get("at"), d.get("docs", {}), d.get("source", "")
            )
            for d in (await self._catalog_reads.get_many(ids)).values()
        }

    async def save_catalog(self, catalog: Catalog) -> None:
        key = _id("catalog", catalog.partition, catalog.source)
        await put_all_by_id(self._catalogs, {key: asdict(catalog)})

    async def offsets(self, tallies: list[str]) -> dict[str, int]:
        found = await self._offsets.get_many(tallies)
        return {k: d.get("offset", -1) for k, d in found.items()}

    async def add(
        self, deltas: dict[str, dict[str, int]], offset: int, known: Collection[str] = ()
    ) -> None:
        """Each tally moved by its cells, once: an update is guarded by the offset it writes, so
        the same one sent again (the driver retries a write whose answer a dropped connection
        lost, and FerretDB, unlike MongoDB, does not know it did it) changes nothing. `known`:
        tallies that exist (the catalog lists them), updated without asking."""
        if not deltas:
            return
        unknown = [t for t in deltas if t not in known]
        exist = set(known) | set((await self.offsets(unknown)) if unknown else {})
        new = [
            {"_id": t, "counts": dict(cells), "offset": offset}
            for t, cells in deltas.items()
            if t not in exist
        ]
        if new:
            exist |= await _inserted_before(self._tallies, new)
        updates = [
            UpdateOne(
                {"_id": t, "offset": {"$lt": offset}},
                {
                    "$inc": {f"counts.{cell}": n for cell, n in cells.items()},
                    "$set": {"offset": offset},
                },
            )
            for t, cells in deltas.items()
            if t in exist
        ]
        if updates:
            await self._tallies.bulk_write(updates, ordered=False)

    async def tallies(self, ids: list[str]) -> dict[str, dict[str, int]]:
        found = await self._tally_reads.get_many(ids)
        return {t: d.get("counts", {}) for t, d in found.items()}

    async def people(self, ids: list[str]) -> dict[str, PersonShare]:
        return {k: _person(d) for k, d in (await self._people_reads.get_many(ids)).items()}

    async def visits(self, keys: list[str]) -> dict[str, VisitShare]:
        return {k: _visit(d) for k, d in (await self._visit_reads.get_many(keys)).items()}

    async def reminders(self, ids: list[str]) -> dict[str, ReminderShare]:
        return {k: _reminder(d) for k, d in (await self._reminder_reads.get_many(ids)).items()}

    async def keep(
        self,
        people: dict[str, PersonShare],
        visits: dict[str, VisitShare],
        reminders: dict[str, ReminderShare] | None = None,
    ) -> None:
        await put_all_by_id(self._people, {k: asdict(v) for k, v in people.items()})
        await put_all_by_id(self._visits, {k: asdict(v) for k, v in visits.items()})
        await put_all_by_id(self._reminders, {k: asdict(v) for k, v in (reminders or {}).items()})
