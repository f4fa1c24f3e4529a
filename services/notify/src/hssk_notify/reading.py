"""Use cases that read: a citizen's reminders, a ward's worklist, the effect statistics. Each
read of a citizen's data is audited; refusals answer as "not found"."""

from __future__ import annotations

from typing import Any

from hssk_kit.audit import AuditEntry, AuditLog
from hssk_kit.auth import Principal
from hssk_notify.domain import effect
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Task
from hssk_notify.ports import WorkItem
from hssk_notify.stores import Stores

WORKLIST_LIMIT = 500


async def reminders_of(
    person_id: str, who: Principal, *, stores: Stores, audit: AuditLog
) -> list[Task] | None:
    """The person's reminders, soonest first; None (audited as denied) for another citizen's."""
    allowed = who.role == "operator" or who.person_id == person_id
    await audit.append(_entry(who, "reminders.read", person_id, allowed))
    if not allowed:
        return None
    state = await stores.states.get(person_id)
    tasks = await stores.tasks.get_many(state.tasks) if state else []
    return sorted(tasks, key=lambda t: t.due_at)


async def worklist_of(
    ward_code: str, who: Principal, *, stores: Stores, audit: AuditLog
) -> list[WorkItem] | None:
    """A ward's citizens no channel reached; only that ward's officer (or an operator)."""
    allowed = who.role == "operator" or (who.role == "ward_officer" and who.ward == ward_code)
    await audit.append(_entry(who, "worklist.read", None, allowed, detail=f"ward={ward_code}"))
    if not allowed:
        return None
    return await stores.worklist.for_ward(ward_code, WORKLIST_LIMIT)


async def statistics(*, stores: Stores, min_cell: int) -> dict[str, Any]:
    return effect.summarise(await stores.tasks.summary(), min_cell)


def refused(who: Principal, action: str, detail: str) -> AuditEntry:
    """A caller refused before any person was named (a desk page opened by another role)."""
    return _entry(who, action, None, False, detail=detail)


def _entry(who: Principal, action: str, person_id, allowed: bool, detail=None) -> AuditEntry:
    return AuditEntry(
        actor=who.subject,
        role=who.role,
        action=action,
        person_id=person_id,
        purpose="reminders" if person_id else "ward outreach",
        outcome="allowed" if allowed else "denied",
        detail=detail,
    )


async def state_of(person_id: str, *, stores: Stores) -> CitizenState:
    """What notify holds of a citizen (a new citizen: nothing yet, the defaults)."""
    return await stores.states.get(person_id) or CitizenState(person_id=person_id)
