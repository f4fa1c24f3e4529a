"""What one citizen, and one visit, add to the statistics: a share kept per person (and per
visit), so that folding a change again, late or twice replaces the share instead of adding to
it, and a merge moves it (the merged-away record's share becomes empty).

A share is told as cells: counters in tally documents, named `<dataset>|<shard>` (one shard a
province, or a week) with cell keys that begin with the ward."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hssk_records.domain.record import Record
from hssk_records.domain.stats import icd10, regions

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BANDS = ((0, "0-24"), (25, "25-49"), (50, "50-74"), (75, "75-99"), (100, "100"))
SEXES = ("male", "female", "other", "unknown")
Cells = dict[str, list[str]]  # tally document -> its cells this share adds one to


def band(filled: int, total: int) -> str:
    """The completeness band (per cent of the fields filled, rounded down)."""
    percent = 100 * filled // total if total else 0
    return next(name for low, name in reversed(BANDS) if percent >= low)


@dataclass(frozen=True)
class PersonShare:
    """One living record's share (none for a record merged into another)."""

    version: int
    ward: str | None = None  # None: merged away, counts nowhere
    sex: str = "unknown"
    birth_year: int | None = None
    filled: int = 0
    total: int = 0
    missing: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    def cells(self) -> Cells:
        if self.ward is None:
            return {}
        w, province = self.ward, regions.province_of(self.ward)
        who = f"{self.sex}|{self.birth_year or '?'}"
        complete = [f"{w}|complete"] if self.total and self.filled == self.total else []
        return {
            f"completeness|{province}": [
                f"{w}|citizens",
                f"{w}|band|{band(self.filled, self.total)}",
                *complete,
                *(f"{w}|missing|{item}" for item in self.missing),
            ],
            f"population|{province}": [f"{w}|{who}"],
            **{f"conditions|{province}|{c}": [f"{w}|{who}"] for c in self.conditions},
        }


@dataclass(frozen=True)
class VisitShare:
    """One visit, counted in the week it began (Viet Nam time) under its main diagnosis's
    chapter, in the ward its patient lived in when it was folded."""

    revision: int
    ward: str
    week: str
    chapter: str

    def cells(self) -> Cells:
        return {f"visits|{self.week}": [f"{self.ward}|{self.chapter}"]}


@dataclass(frozen=True)
class ReminderShare:
    """One reminder notify planned, as its latest outcome left it: counted in its campaign and
    its citizen's ward by status and channel (or suppression reason); a completeness reminder
    in the effect's groups (reminded, held out) also counts whether the item was filled."""

    status: str  # sent, delivered, failed, suppressed
    campaign: str
    ward: str
    detail: str  # the channel, or why it was suppressed
    group: str | None = None
    completed: bool = False
    offset: int = -1  # of the event that made it: one reminder's events share a partition

    def cells(self) -> Cells:
        w = self.ward
        cells = [f"{w}|status|{self.status}|{self.detail}"]
        if self.group:
            cells.append(f"{w}|group|{self.group}|all")
            if self.completed:
                cells.append(f"{w}|group|{self.group}|completed")
        return {f"reminders|{self.campaign}": cells}


OUTCOME_STATUS = {"ReminderSent": "sent", "ReminderDelivered": "delivered",
                  "ReminderFailed": "failed", "ReminderSuppressed": "suppressed"}  # fmt: skip


def reminder_share(
    kind: str, data: Any, offset: int, old: ReminderShare | None
) -> ReminderShare | None:
    """The share after one notify.reminder.v1 event of type `kind` at `offset` (None: it
    counts nothing, as a ReminderScheduled does). An event older than the share's (a replay)
    changes nothing; a completion keeps what the outcome said, and stays."""
    if old is not None and offset <= old.offset:
        return old
    if kind == "ReminderCompleted":
        base = old or _outcome(data.status or "sent", data)
        return replace(base, completed=True, group=base.group or data.group, offset=offset)
    if kind not in OUTCOME_STATUS:
        return old
    new = replace(_outcome(OUTCOME_STATUS[kind], data), offset=offset)
    return replace(new, completed=old.completed) if old else new


def _outcome(status: str, data: Any) -> ReminderShare:
    detail = (data.reason if status == "suppressed" else data.channel) or "unknown"
    return ReminderShare(
        status=status,
        campaign=data.campaign,
        ward=data.ward_code or regions.NO_WARD,
        detail=detail,
        group=data.group if data.kind == "incomplete_profile" else None,
    )


def person_share(record: Record) -> PersonShare:
    if record.merged_into is not None:
        return PersonShare(version=record.version)
    sex = _value(record, "sex")
    born = _value(record, "birth_date")
    c = record.completeness
    declared = _value(record, "chronic_conditions", part="health") or {}
    codes = [i.get("icd10") or "" for i in declared.get("items", []) if isinstance(i, dict)]
    codes += record.reported_items("chronic_conditions")
    return PersonShare(
        version=record.version,
        ward=record.ward_code or regions.NO_WARD,
        sex=sex if sex in SEXES else "unknown",
        birth_year=_year(born),
        filled=c.filled if c else 0,
        total=c.total if c else 0,
        missing=tuple(c.missing) if c else (),
        conditions=tuple(sorted(icd10.conditions(codes))),
    )


def visit_share(revision: int, ward: str, admitted_at: datetime, main_icd10: str | None):
    year, week, _ = admitted_at.astimezone(VN).isocalendar()
    return VisitShare(revision, ward, f"{year}-W{week:02d}", icd10.chapter(main_icd10))


def delta(old: Cells, new: Cells) -> dict[str, Counter[str]]:
    """What replacing a share `old` by `new` changes, per tally document (no zero entries)."""
    out: dict[str, Counter[str]] = {}
    for doc in old.keys() | new.keys():
        change = Counter(new.get(doc, []))
        change.subtract(old.get(doc, []))
        if moved := Counter({k: n for k, n in change.items() if n}):
            out[doc] = moved
    return out


def _value(record: Record, name: str, part: str = "admin"):
    fact = record.trusted(part, name)
    return fact.value if fact else None


def _year(born: object) -> int | None:
    text = str(born or "")[:4]
    return int(text) if text.isdigit() and 1880 <= int(text) <= 2100 else None
