"""How the records routes turn handler answers into HTTP: refusals with their status, history
items, access-log entries with their plain-Vietnamese sentence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import HTTPException

from hssk_records.domain.access_log import Entry
from hssk_records.domain.access_text import sentence
from hssk_records.domain.changes import sections
from hssk_records.domain.events import RecordEvent
from hssk_records.reading import Read

VN = timedelta(hours=7)
STATUS = {"not_found": 404, "forbidden": 403, "merged": 410, "too_many": 429}


def refusal(read: Read) -> HTTPException:
    body: dict[str, Any] = {"error": read.status, "message": read.message}
    if read.status == "merged" and read.record is not None:
        body["merged_into"] = read.record.merged_into
    return HTTPException(STATUS.get(read.status, 404), detail=body)


def history_item(event: RecordEvent) -> dict[str, Any]:
    return {
        "version": event.version,
        "at": event.at.isoformat(),
        "change": event.change,
        "by": event.by,
        "sections": sections(event),
        **({"visit_key": event.visit.key} if event.visit else {}),
    }


def access_item(entry: Entry) -> dict[str, Any]:
    a = entry.access
    keep = ("at", "actor", "role", "facility", "service", "action", "purpose", "outcome")
    more = ("emergency", "reason", "record_version", "detail")
    return {
        "seq": entry.seq,
        **{k: a.get(k) for k in keep},
        **{k: a[k] for k in more if a.get(k)},
        "text_vi": sentence(a),
        "hash": entry.hash,
    }
