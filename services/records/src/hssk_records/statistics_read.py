"""The statistics as the API serves them: every partition's tallies summed in memory, refreshed
in the background from the documents written since the last look, and the gated cubes rebuilt
for what changed, so an answer is a lookup (never a scan of records) and says how fresh it is."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal
from hssk_kit.messages import transient
from hssk_records.domain.stats import answers, regions, tables
from hssk_records.domain.stats.cubes import CITY, Cube
from hssk_records.domain.stats.disclosure import Policy
from hssk_records.domain.stats.journal import REMINDERS, doc_of
from hssk_records.domain.stats.shares import VN
from hssk_records.ports import StatsStore

MAX_CACHED = 512
REANSWERED = 32  # recent questions answered again after each change of the figures
log = logging.getLogger("hssk_records.statistics")
T = TypeVar("T")


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Figures:
    """The gated cubes of one moment."""

    year: int = 0
    completeness: Cube | None = None
    population: Cube | None = None
    conditions: dict[str, Cube] = field(default_factory=dict)
    weeks: dict[str, Cube] = field(default_factory=dict)
    reminders: dict[str, Cube] = field(default_factory=dict)  # by campaign
    fresh_as_of: str | None = None  # the newest change in completeness and visits
    people_as_of: str | None = None  # ... in the population and conditions (rebuilt after)
    reminders_as_of: str | None = None  # the newest reminder outcome folded in
    folded: int = 0


class StatsView:
    def __init__(
        self,
        stats: StatsStore,
        partitions: int,
        policy: Policy,
        clock: Callable[[], datetime],
        reminder_partitions: int = 0,
    ):
        self._stats, self._partitions, self.policy, self._clock = stats, partitions, policy, clock
        self._reminder_partitions = reminder_partitions
        self._seen: dict[str, int] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self.figures = Figures()
        self._answers: tuple[Figures, OrderedDict[Hashable, tuple[Callable, Any]]] = (
            self.figures,
            OrderedDict(),
        )

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per question while the figures stay the same (a leader's dashboard
        asks the same questions again and again); the questions asked most recently are
        answered again as soon as the figures change, so nobody waits for them."""
        figures, answers = self._answers
        if figures is not self.figures:
            figures, answers = self._answers = (self.figures, OrderedDict())
        if key not in answers:
            if len(answers) >= MAX_CACHED:
                answers.popitem(last=False)
            answers[key] = (compute, compute())
        answers.move_to_end(key)
        return answers[key][1]

    def _answered_again(self) -> None:
        """After a change: the last REANSWERED questions, answered over the new figures."""
        _, answers = self._answers
        again: OrderedDict[Hashable, tuple[Callable, Any]] = OrderedDict()
        for key, (compute, _) in list(answers.items())[-REANSWERED:]:
            try:
                again[key] = (compute, compute())
            except Exception:  # asked again when someone asks; never stops the refresh
                log.exception("a statistics answer could not be prepared")
        self._answers = (self.figures, again)

    def counted_docs(self) -> set[str]:
        return {doc_of(t) for t in self._counts}

    async def refresh(self) -> bool:
        """Read what was written since the last look; True if the figures changed. The cheap
        tables (completeness, visits) are swapped in first; the population and its conditions,
        which a new citizen changes all of, follow together (never one without the other)."""
        catalogs = await self._stats.catalogs(list(range(self._partitions)))
        reminding = await self._stats.catalogs(list(range(self._reminder_partitions)), REMINDERS)
        both = [*catalogs.values(), *reminding.values()]
        written = {t: o for c in both for t, o in c.docs.items()}
        changed = [t for t, o in written.items() if self._seen.get(t) != o]
        year = self._clock().astimezone(VN).year
        fresh = max((c.at for c in catalogs.values() if c.at), default=None)
        reminded = max((c.at for c in reminding.values() if c.at), default=None)
        folded = sum(c.end for c in catalogs.values())
        f = self.figures
        now = (year, fresh, folded, reminded)
        if not changed and now == (f.year, f.fresh_as_of, f.folded, f.reminders_as_of):
            return False
        self._counts.update(await self._stats.tallies(changed))
        self._seen.update({t: written[t] for t in changed})
        docs = {doc_of(t) for t in changed}
        quick = await asyncio.to_thread(self._tables, docs)
        self.figures = replace(quick, fresh_as_of=fresh, folded=folded, reminders_as_of=reminded)
        if year != f.year or any(d.startswith(("population|", "conditions|")) for d in docs):
            people = await asyncio.to_thread(self._people, docs, year)
            self.figures = replace(self.figures, **people, people_as_of=fresh)
        await asyncio.to_thread(self._answered_again)
        return True

    async def run(self, every: float) -> None:
        """Refresh for ever; while the database is away the last figures are served (their
        `fresh_as_of` says how old they are) instead of the service restarting."""
        while True:
            try:
                await self.refresh()
            except Exception as exc:
                if not transient(exc):
                    raise
                log.warning("statistics not refreshed", extra={"error": type(exc).__name__})
            await asyncio.sleep(every)

    def _summed(self, prefix: str) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for tally, cells in self._counts.items():
            if (doc := doc_of(tally)).startswith(prefix):
                out.setdefault(doc, Counter()).update(cells)
        return out

    def _tables(self, docs: set[str]) -> Figures:
        f = replace(self.figures, weeks=dict(self.figures.weeks),
                    reminders=dict(self.figures.reminders))  # fmt: skip
        p = self.policy
        if f.completeness is None or any(d.startswith("completeness|") for d in docs):
            f.completeness = tables.completeness(_merged(self._summed("completeness|")), p)
        for doc, cells in self._summed("visits|").items():
            if doc in docs or doc.split("|")[1] not in f.weeks:
                f.weeks[doc.split("|")[1]] = tables.visits(cells, p)
        for doc, cells in self._summed("reminders|").items():
            if doc in docs or doc.split("|", 1)[1] not in f.reminders:
                f.reminders[doc.split("|", 1)[1]] = tables.reminders(cells, p)
        return f

    def _people(self, docs: set[str], year: int) -> dict[str, Any]:
        """The population and every condition against it (the conditions' figures depend on
        the population's, so all are rebuilt when it changes)."""
        p = self.policy
        population = tables.population(_merged(self._summed("population|")), year, p)
        by_condition: dict[str, dict[str, Counter[str]]] = {}
        for doc, cells in self._summed("conditions|").items():
            by_condition.setdefault(doc.split("|")[2], {})[doc] = cells
        conditions = {
            name: tables.condition(_merged(found), population, year, p)
            for name, found in by_condition.items()
        }
        return {"year": year, "population": population, "conditions": conditions}


def _merged(docs: dict[str, Counter[str]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for cells in docs.values():
        out.update(cells)
    return out


def areas(who: Principal, cube: Cube | None, level: str, province: str | None, ward: str | None):
    """The areas `who` may see at `level`: a leader any, a ward officer their own ward only
    (403 otherwise, and audited as a refusal by the route's guard)."""
    if who.role == "ward_officer":
        if level != "ward" or ward not in (None, who.ward):
            raise Refused(403, "a ward officer sees their own ward's figures only")
        return [who.ward] if who.ward else []
    if cube is None:
        return []
    if level == "city":
        return [CITY]
    if level == "province":
        return [p for p in cube.areas("province") if province in (None, p)]
    return [
        w
        for w in cube.areas("ward")
        if ward in (None, w) and province in (None, regions.province_of(w))
    ]


async def audit_refusal(audit: AuditLog, who: Principal, refused: Refused) -> None:
    """A refusal by scope (a ward officer asking beyond their ward) is audited as the guard
    audits a refusal by role: no person's data, but someone tried."""
    await audit.append(
        AuditEntry(actor=who.subject, role=who.role, action="stats.read", person_id=None,
                   purpose="statistics", outcome="denied", ward=who.ward, detail=str(refused))
    )  # fmt: skip


def answer(view: StatsView, dataset: str, rows: list[dict], **extra: Any) -> dict[str, Any]:
    f = view.figures
    fresh = {"conditions": f.people_as_of, "reminders": f.reminders_as_of}
    return {
        "dataset": dataset,
        "fresh_as_of": fresh.get(dataset, f.fresh_as_of),
        "changes_folded": f.folded,
        "min_cell": view.policy.min_count,
        "note": "null = hidden by the disclosure gate (fewer than min_cell people, or hidden "
        "so that another hidden figure cannot be worked out from a total)",
        **extra,
        "rows": rows,
    }


def completeness(view: StatsView, who: Principal, level: str, province=None, ward=None):
    cube = view.figures.completeness
    shown = areas(who, cube, level, province, ward)
    rows = answers.completeness(cube, level, shown, view.policy) if cube else []
    extra: dict[str, Any] = {"level": level}
    if cube and level == "ward" and who.role != "ward_officer":
        provinces = sorted({regions.province_of(w) for w in shown})
        extra["hidden_wards"] = answers.hidden_wards(cube, provinces, ("citizens",))
    return answer(view, "completeness", rows, **extra)


def conditions(view: StatsView, who: Principal, level: str, sex: str, band: str, **where):
    f = view.figures
    shown = areas(who, f.population, level, where.get("province"), where.get("ward"))
    wanted = {n: c for n, c in f.conditions.items() if where.get("condition") in (None, n)}
    rows = (
        answers.conditions(wanted, f.population, level, shown, sex, band, view.policy)
        if f.population
        else []
    )
    extra: dict[str, Any] = {"level": level, "sex": sex, "age_band": band, "year": f.year}
    if level == "ward" and who.role != "ward_officer":
        provinces = sorted({regions.province_of(w) for w in shown})
        extra["hidden_wards"] = [
            {"condition": name, **rolled}
            for name, cube in sorted(wanted.items())
            for rolled in answers.hidden_wards(cube, provinces, ("cond", sex, band))
        ]
    return answer(view, "conditions", rows, **extra)


def reminders(
    view: StatsView, who: Principal, level: str, province=None, ward=None, campaign=None
) -> dict[str, Any]:
    cubes = {c: cube for c, cube in view.figures.reminders.items() if campaign in (None, c)}
    allowed = areas(who, None, level, province, ward)  # a ward officer's scope, or a refusal
    if who.role != "ward_officer":
        allowed = sorted({a for c in cubes.values() for a in areas(who, c, level, province, ward)})
    rows = answers.reminders(cubes, level, allowed, view.policy)
    return answer(view, "reminders", rows, level=level, campaign=campaign)


def visits(
    view: StatsView, who: Principal, level: str, first: str, last: str, province=None, ward=None
) -> dict[str, Any]:
    weeks = {w: c for w, c in view.figures.weeks.items() if first <= w <= last}
    allowed = areas(who, None, level, province, ward)  # a ward officer's scope, or a refusal
    if who.role != "ward_officer":  # every area any of the weeks knows
        allowed = sorted({a for c in weeks.values() for a in areas(who, c, level, province, ward)})
    rows = answers.visits(weeks, level, allowed)
    extra = {"level": level, "by": "icd10_chapter", "period": "week", "from": first, "to": last}
    return answer(view, "visits", rows, **extra)


def recent_weeks(now: datetime, weeks: int = 12) -> tuple[str, str]:
    """The first and last ISO week (Viet Nam time) of the `weeks` weeks up to `now`."""
    local = now.astimezone(VN)
    return iso_week(local - timedelta(weeks=weeks - 1)), iso_week(local)


def iso_week(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"
