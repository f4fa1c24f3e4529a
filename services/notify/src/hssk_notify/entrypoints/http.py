"""HTTP entrypoint: a citizen's reminders (the citizen, an operator; audited), the citizen's own
preferences, a ward's worklist of citizens no channel reaches (that ward's officer), the effect
statistics (leaders, operators), and in tests and demos only, the settable clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query
from pydantic import BaseModel, Field

from hssk_contracts.codes import PersonId
from hssk_kit.audit import AuditLog
from hssk_kit.auth import Principal
from hssk_kit.guard import audited
from hssk_kit.http import problem_response, responses
from hssk_notify import handlers, reading
from hssk_notify.clock import ManualClock, system_clock
from hssk_notify.domain import preferences
from hssk_notify.domain.state import CitizenState
from hssk_notify.stores import Stores

Reader = Annotated[Principal, audited("citizen", "operator", action="reminders.read")]
Citizen = Annotated[Principal, audited("citizen", action="preferences.manage", refusals_only=True)]
Officer = Annotated[Principal, audited("ward_officer", "operator", action="worklist.read")]
# Counts with small cells hidden and a test clock: no one's data, so only refusals are audited.
Leader = Annotated[
    Principal, audited("leader", "operator", action="reminders.stats", refusals_only=True)
]
Operator = Annotated[Principal, audited("operator", action="clock.set", refusals_only=True)]
Ward = Annotated[str, Query(pattern=r"^\d{5}$", description="the ward (commune) code")]
CLOCK_REACH = timedelta(days=30)


class ClockBody(BaseModel):
    at: datetime = Field(description="the time to set, with its zone, within 30 days of now")


NOT_YOURS = {"error": "not_found", "message": "nothing you may read here"}


def router(
    *, stores: Stores, audit: AuditLog, clock: Callable[[], datetime], min_cell: int
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["reminders"])

    @api.get("/reminders/{person_id}", responses=responses(404))
    async def list_reminders(person_id: Annotated[PersonId, Path()], who: Reader) -> dict[str, Any]:
        """A citizen's own reminders (any citizen's for an operator), soonest first, with what
        became of each: sent on which channel, deferred, suppressed and why."""
        found = await reading.reminders_of(person_id, who, stores=stores, audit=audit)
        if found is None:
            raise HTTPException(404, detail=NOT_YOURS)
        return {"person_id": person_id,
                "reminders": [t.model_dump(mode="json") for t in found]}  # fmt: skip

    @api.get("/me/preferences")
    async def my_preferences(who: Citizen) -> dict[str, Any]:
        """How I want to be reminded: channels in my order, opt-out, language, e-mail."""
        return _view(await reading.state_of(_mine(who), stores=stores))

    @api.put("/me/preferences", responses=responses(422))
    async def set_my_preferences(
        who: Citizen,
        body: Annotated[dict[str, Any], Body(examples=[{"channels": ["zalo", "sms"]}])],
    ) -> Any:
        """Set how I am reminded (fields left out keep their value). A wrong value is refused
        in Vietnamese, changing nothing."""
        state = await reading.state_of(_mine(who), stores=stores)
        wanted, problems = preferences.parse(body, state.preferences)
        if wanted is None:
            return problem_response(422, "invalid_preferences", problems)
        return _view(await handlers.set_preferences(_mine(who), wanted, stores=stores))

    @api.get("/worklist", responses=responses(404))
    async def worklist(ward: Ward, who: Officer) -> dict[str, Any]:
        """Citizens of the ward no channel could reach, oldest first, with what to ask them."""
        found = await reading.worklist_of(ward, who, stores=stores, audit=audit)
        if found is None:
            raise HTTPException(404, detail=NOT_YOURS)
        return {"ward": ward, "items": [asdict(i) for i in found]}

    @api.get("/stats")
    async def stats(who: Leader) -> dict[str, Any]:
        """Reminders sent, delivered, failed and suppressed (by reason and channel), and the
        completion rate of reminded citizens against the random hold-out; small cells hidden."""
        return await reading.statistics(stores=stores, min_cell=min_cell)

    if isinstance(clock, ManualClock):

        @api.put("/dev/clock", responses=responses(422))
        async def set_clock(who: Operator, body: ClockBody) -> Any:
            """Tests and demos only (refused in production): set notify's clock."""
            at = body.at
            if at.tzinfo is None or abs(at - system_clock()) > CLOCK_REACH:
                return problem_response(422, "invalid_time", [{"field": "at", "rule": "range",
                                        "message": "a time with its zone, within 30 days of "
                                        "the real time"}])  # fmt: skip
            clock.set(at)
            return {"now": clock().isoformat()}

    return api


def _mine(who: Principal) -> str:
    assert who.person_id is not None  # the claim schema requires it of a citizen
    return who.person_id


def _view(state: CitizenState) -> dict[str, Any]:
    p = state.preferences
    return {**p.model_dump(mode="json"), "reachable": sorted(state.addresses())}
