"""Handlers of the citizen's access log: audit events appended to each subject's hash chain
(exactly once, in order, however often Kafka delivers them), read back newest first by page
with the latest emergency accesses pinned, and verified end to end."""

from __future__ import annotations

from dataclasses import dataclass

from hssk_contracts.events import AccessRecorded
from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal
from hssk_records.domain.access_log import Entry, Head, Verdict, advanced, next_entry, verify
from hssk_records.ports import AccessLogStore, PersonKeys

VERIFY_CHUNK = 500


async def on_access_recorded(
    event: AccessRecorded, *, at: tuple[int, int], log: AccessLogStore, keys: PersonKeys
) -> list[str]:
    """Append the entry to its subject's log and, for an entry naming a person only by
    identifiers (a dead letter read), to that person's log too. Answers the subjects it grew."""
    subjects = [event.data.subject]
    if event.data.person_id is None and event.data.match_keys:
        person = await keys.person_of(list(event.data.match_keys))
        if person is not None and person != event.data.subject:
            subjects.append(person)
    return [s for s in subjects if await _append(s, event, at, log)]


async def _append(subject: str, event: AccessRecorded, at: tuple[int, int], log: AccessLogStore):
    head = await log.head(subject) or Head(subject)
    if head.applied(*at):  # redelivered after its head was saved
        return False
    while True:
        entry = next_entry(head, event, subject)
        if await log.insert(entry):
            break
        # The seq is taken: stored before a crash that lost the head, or by a second writer
        # during a rebalance. Take the head to it, and stop if it is this very event.
        existing = (await log.entries(subject, [entry.seq]))[entry.seq]
        if existing.event_id == event.event_id:
            entry = existing
            break
        head = advanced(head, existing)
    await log.save_head(advanced(head, entry, at))
    return True


@dataclass(frozen=True)
class Page:
    head: Head | None
    entries: list[Entry]  # newest first
    pinned: list[Entry]  # the latest emergency accesses, whatever page this is
    next_before: int | None  # pass as `before` for the next (older) page


async def page(subject: str, *, before: int | None, limit: int, log: AccessLogStore) -> Page:
    head = await log.head(subject)
    if head is None:
        return Page(None, [], [], None)
    top = head.seq if before is None else min(before - 1, head.seq)
    seqs = list(range(top, max(top - limit, 0), -1))
    found = await log.entries(subject, sorted(set(seqs) | set(head.emergencies)))
    return Page(
        head,
        [found[s] for s in seqs if s in found],
        [found[s] for s in reversed(head.emergencies) if s in found],
        seqs[-1] if seqs and seqs[-1] > 1 else None,
    )


async def own_page(
    person_id: str,
    who: Principal,
    *,
    before: int | None,
    limit: int,
    log: AccessLogStore,
    audit: AuditLog,
) -> Page | None:
    """The citizen's own log (None for anyone else's: that attempt is itself audited)."""
    if who.person_id == person_id:
        return await page(person_id, before=before, limit=limit, log=log)
    await audit.append(
        AuditEntry(
            actor=who.subject,
            role=who.role,
            action="access_log.read",
            person_id=person_id,
            purpose="read",
            outcome="denied",
            detail="another citizen's access log",
        )
    )
    return None


async def checked(subject: str, who: Principal, *, log: AccessLogStore, audit: AuditLog) -> Verdict:
    """An operator's integrity check of one log (the check is audited as an operation)."""
    verdict = await verify_log(subject, log=log)
    await audit.append(
        AuditEntry(
            actor=who.subject,
            role=who.role,
            action="access_log.verify",
            person_id=None,
            purpose="integrity check",
            outcome="allowed",
            detail=f"{subject}: {'intact' if verdict.intact else verdict.problem}",
        )
    )
    return verdict


async def verify_log(subject: str, *, log: AccessLogStore) -> Verdict:
    head = await log.head(subject)
    entries: list[Entry | None] = []
    for start in range(1, (head.seq if head else 0) + 1, VERIFY_CHUNK):
        seqs = list(range(start, min(start + VERIFY_CHUNK, head.seq + 1) if head else start))
        found = await log.entries(subject, seqs)
        entries += [found.get(s) for s in seqs]
    return verify(head, subject, entries)
