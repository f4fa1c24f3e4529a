"""Handlers of the QR path into a record: a ward officer (for a citizen of their ward) or the
citizen asks for a QR code; redeeming it once opens a citizen session. A used, expired or forged
code is refused with a clear message, and redeem attempts are limited per code and per client
address, so codes cannot be guessed or replayed in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hssk_kit.audit import AuditLog, Outcome
from hssk_kit.auth import Principal
from hssk_records.domain import tokens
from hssk_records.ports import Allowances, QrLedger, RecordRepository, Sessions
from hssk_records.reading import NOT_YOURS, entry

ATTEMPTS_PER_CODE = 5
ATTEMPTS_PER_ADDRESS_A_MINUTE = 20


@dataclass(frozen=True)
class Issued:
    status: str  # ok | not_found
    token: str | None = None
    expires_at: datetime | None = None
    message: str = ""
    name: str = ""  # the citizen's, to print beside the code


@dataclass(frozen=True)
class Redeemed:
    status: str  # ok | forged | expired | used | too_many
    person_id: str | None = None
    session: str | None = None
    expires_at: datetime | None = None

    @property
    def messages(self) -> tuple[str, str]:
        return tokens.REFUSALS.get(self.status, ("", ""))


async def issue(
    person_id: str,
    who: Principal,
    *,
    records: RecordRepository,
    audit: AuditLog,
    key: bytes,
    now: datetime,
    lasts: timedelta,
) -> Issued:
    """A QR token for the citizen: theirs, or one of the ward officer's ward (others are told
    nothing exists)."""
    record = await records.get(person_id)
    mine = who.role == "citizen" and who.person_id == person_id
    in_ward = who.role == "ward_officer" and record is not None and record.ward_code == who.ward
    if record is None or record.merged_into or not (mine or in_ward):
        outcome: Outcome = "not_found" if record is None else "denied"
        await audit.append(entry(who, person_id, "record.qr", outcome, purpose="self-declaration"))
        return Issued("not_found", message=NOT_YOURS)
    token, qr = tokens.mint(person_id, key=key, now=now, lasts=lasts)
    await audit.append(
        entry(
            who,
            person_id,
            "record.qr",
            "allowed",
            purpose="self-declaration",
            detail=f"valid until {qr.expires_at.isoformat()}",
        )
    )
    name = record.trusted("admin", "name")
    return Issued("ok", token, qr.expires_at, name=str(name.value) if name else "")


async def redeem(
    raw: str,
    client: str,
    *,
    ledger: QrLedger,
    allowances: Allowances,
    sessions: Sessions,
    key: bytes,
    now: datetime,
) -> Redeemed:
    minute = now.strftime("%Y%m%d%H%M")
    if not await allowances.take(f"redeem-addr|{client}|{minute}", ATTEMPTS_PER_ADDRESS_A_MINUTE):
        return Redeemed("too_many")
    token = tokens.read(raw, key=key, now=now)
    if isinstance(token, str):
        return Redeemed(token)
    if not await allowances.take(f"redeem-code|{token.token_id}", ATTEMPTS_PER_CODE):
        return Redeemed("too_many")
    if not await ledger.use(token.token_id, token.person_id):
        return Redeemed("used")
    session, expires_at = sessions.mint(token.person_id)
    return Redeemed("ok", token.person_id, session, expires_at)
