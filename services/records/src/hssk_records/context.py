"""Everything the records routes hand to the handlers, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hssk_kit.audit import AuditLog
from hssk_kit.bus import Publish
from hssk_records.ports import (
    AccessLogStore,
    Allowances,
    CorrectionStore,
    GrantStore,
    QrLedger,
    Sessions,
    ShareStore,
)
from hssk_records.writing import Stores


@dataclass(frozen=True)
class Policy:
    doctor_window: timedelta
    emergency_lasts: timedelta
    emergencies_per_day: int
    qr_key: bytes
    qr_lasts: timedelta
    public_url: str
    secure_cookies: bool = True  # the session cookie only over HTTPS (not on the dev stack)


@dataclass(frozen=True)
class Context:
    stores: Stores
    grants: GrantStore
    allowances: Allowances
    access_logs: AccessLogStore
    shares: ShareStore
    qr_ledger: QrLedger
    corrections: CorrectionStore
    sessions: Sessions
    audit: AuditLog
    publish: Publish
    clock: Callable[[], datetime]
    policy: Policy
