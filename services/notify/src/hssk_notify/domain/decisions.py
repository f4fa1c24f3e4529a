"""What to do with a due task, as a pure function of the task, the citizen's state and the time:
suppress it (and why), defer it (to when), or send it along a ladder of channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hssk_notify.domain import caps, holdout, window
from hssk_notify.domain.messages import Channel
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Task, resolved

AWAITING_CONTACT = "awaiting_contact"
CONTACT_GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class Suppress:
    reason: str  # a SuppressReason of the contract


@dataclass(frozen=True)
class Defer:
    until: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Send:
    steps: list[tuple[Channel, str]]


Decision = Suppress | Defer | Send


@dataclass(frozen=True)
class Rules:
    caps: caps.Caps = field(default_factory=caps.Caps)
    holdout_share: float = 0.05


def decide(task: Task, state: CitizenState, now: datetime, rules: Rules = Rules()) -> Decision:
    if state.merged_into or resolved(task, state):
        return Suppress("resolved")
    if now >= task.window_end:
        return Suppress("expired")
    if state.preferences.opt_out:
        return Suppress("opted_out")
    if task.kind == "incomplete_profile" and not task.undelivered:
        # Appointment reminders are care: no one is held out of them, and no campaign cap. A
        # reminder sent again after an undelivered receipt was counted when it was first sent.
        if holdout.in_holdout(state.person_id, task.campaign, rules.holdout_share):
            return Suppress("held_out")
        sent = state.campaigns.get(task.campaign, 0)
        if refusal := caps.completeness_refusal(state.completeness_sent, sent, now, rules.caps):
            return Suppress(refusal)
    if not window.in_window(now):
        return Defer(window.next_open(now))
    steps = [s for s in state.steps() if s[0] not in task.undelivered]
    if not steps and task.undelivered:
        return Send([])  # every channel left was tried: it fails, and the ward follows it up
    if not steps and state.contact_pending and task.reason != AWAITING_CONTACT:
        # records announces the change before the contact details it may bring: wait for them
        return Defer(now + CONTACT_GRACE, AWAITING_CONTACT)
    if not steps:
        return Suppress("no_channel")
    return Send(steps)
