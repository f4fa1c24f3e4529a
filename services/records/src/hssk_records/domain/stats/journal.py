"""A partition's journal: the last folded batch's whole outcome, written in one document before
any tally or share it changes. A crash after it is finished from it, and the messages before its
end are never folded again, so each batch counts exactly once (the idea of a Kafka Streams state
store with its offset, on the database the platform already runs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hssk_records.domain.stats.shares import PersonShare, ReminderShare, VisitShare

REMINDERS = "notify.reminder.v1"  # the source of the reminders' journals and catalogs


def tally_id(doc: str, partition: int) -> str:
    """Each partition keeps its own tally documents, so each document has one writer."""
    return f"{doc}@{partition}"


def doc_of(tally: str) -> str:
    return tally.rsplit("@", 1)[0]


@dataclass(frozen=True)
class Journal:
    partition: int
    end: int  # every message before this offset is folded
    at: str  # when the newest change folded in happened (ISO 8601): how fresh the figures are
    deltas: dict[str, dict[str, int]] = field(default_factory=dict)  # tally id -> cell -> n
    people: dict[str, PersonShare] = field(default_factory=dict)
    visits: dict[str, VisitShare] = field(default_factory=dict)
    reminders: dict[str, ReminderShare] = field(default_factory=dict)
    source: str = ""  # the topic folded: "" records.change.v1, or REMINDERS


@dataclass(frozen=True)
class Catalog:
    """What a partition has folded and finished: its tally documents and the offset each was
    last written at. Written last, so it says the journal up to `end` is fully applied."""

    partition: int
    end: int = 0
    at: str | None = None
    docs: dict[str, int] = field(default_factory=dict)  # tally id -> offset
    source: str = ""  # as the journal's
