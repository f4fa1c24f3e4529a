"""A task's words for one channel and address: the citizen's language, the SMS fitted to one
segment (unaccented when the gateway refuses diacritics), Zalo ZNS as a registered template."""

from __future__ import annotations

from dataclasses import replace

from hssk_notify.domain import sms, texts
from hssk_notify.domain.messages import Channel, Message
from hssk_notify.domain.state import CitizenState
from hssk_notify.domain.tasks import Task


def words(task: Task, state: CitizenState, link: str) -> texts.Texts:
    language = state.preferences.language
    if task.kind == "incomplete_profile":
        return texts.completeness(task.item, link, language)
    day, facility = task.appointment
    return texts.appointment(day, facility, task.moment or "day_before", language)


def compose(
    task: Task, state: CitizenState, channel: Channel, to: str, link: str, *, unicode: bool = True
) -> Message:
    t = words(task, state, link)
    base = Message(key=f"{task.id}:{channel}", person_id=task.person_id, channel=channel, to=to,
                   text="")  # fmt: skip
    if channel == "sms":
        fitted = sms.fit(t.sms, unicode=unicode, keep=t.sms_keep)
        return replace(base, text=fitted.text, unicode=fitted.unicode)
    if channel == "zalo":
        return replace(
            base, text=t.sms + t.sms_keep, template_id=t.zns_template, params=t.zns_params
        )
    if channel == "app":
        return replace(base, text=t.push_body, subject=t.push_title)
    return replace(base, text=t.email_body, subject=t.email_subject)


def ambiguous(task: Task, state: CitizenState, link: str) -> tuple[str, ...]:
    """Words the unaccented SMS may make a reader misread (logged and counted, not hidden)."""
    return sms.fit(words(task, state, link).sms, unicode=False).ambiguous
