"""The sandbox's memory: the outbox of accepted messages (a JSON-lines file) and the faults
injected by tests and demos."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from hssk_cli.sandbox.receipts import Receipts

Record = dict[str, Any]
ChannelName = Literal["app", "zalo", "sms", "email"]
FaultError = Literal[
    "unavailable",
    "timeout",
    "rate_limited",
    "user_inactive",
    "invalid_recipient",
    "rejected_content",
    "rejected_unicode",  # SMS only, and only for a message sent with unicode=true
    "undelivered",  # accepted, then an EXPIRED delivery receipt (SMS; Zalo sends none then)
]


class Fault(BaseModel):
    """A refusal to answer instead of accepting: POST /faults takes this shape."""

    channel: ChannelName
    error: FaultError
    to: str | None = None  # only this address; None: every address
    times: int = 1  # -1: until DELETE /faults
    retry_after_s: float | None = None  # the Retry-After sent (rate_limited defaults to 1)
    delay_s: float = 30.0  # timeout: how long the provider sits on the request


class Outbox:
    """What was accepted, in memory and appended to a JSON-lines file (reloaded on start)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: list[Record] = []
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            self.records = [json.loads(line) for line in lines if line.strip()]
        self.keys = {(r["channel"], r["key"]): r for r in self.records}

    def add(self, record: Record) -> Record:
        record = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **record}
        self.records.append(record)
        self.keys.setdefault((record["channel"], record["key"]), record)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:  # a line at a time: a kill loses none
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def list(self, to: str | None = None) -> list[Record]:
        return [r for r in self.records if to is None or r["to"] == to]

    def clear(self) -> None:
        self.records, self.keys = [], {}
        self.path.unlink(missing_ok=True)


@dataclass
class Sandbox:
    outbox: Outbox
    faults: list[Fault] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)  # calls per channel, for tests
    receipts: Receipts | None = None  # None: no delivery receipts are sent

    def fault(
        self,
        channel: str,
        to: str,
        *,
        unicode: bool = False,
        kinds: Container[str] | None = None,
    ) -> Fault | None:
        """The first matching fault, used up by one (`times`); None: accept."""
        for rule in self.faults:
            if rule.channel != channel or (rule.to is not None and rule.to != to):
                continue
            if (kinds is not None and rule.error not in kinds) or (
                rule.error == "rejected_unicode" and not unicode
            ):
                continue
            if rule.times > 0:
                rule.times -= 1
                if rule.times == 0:
                    self.faults.remove(rule)
            return rule
        return None


def table(records: list[Record]) -> str:
    """The outbox for people: time, channel, address and text, one message a line."""
    if not records:
        return "(the outbox is empty)"
    rows = [("TIME", "CHANNEL", "TO", "TEXT")]
    for r in records:
        text = " ".join(str(r.get("text", "")).split())
        if r.get("subject"):
            text = f"{r['subject']}: {text}"
        channel = r["channel"] + (" (dup)" if r.get("duplicate") else "")
        channel += " (undelivered)" if r.get("undelivered") else ""
        rows.append((str(r["time"])[:19].replace("T", " "), channel, str(r["to"]), text))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    )
