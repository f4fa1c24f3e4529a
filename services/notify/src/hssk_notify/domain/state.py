"""What notify knows of one citizen, kept by person_id: the record's gaps and appointments (from
records.change.v1), how to reach them (records.contact.v1 and their own preferences), what was
already sent, and the ids of their reminder tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hssk_contracts.events import RecordChangedData
from hssk_notify.domain.ladder import ladder
from hssk_notify.domain.messages import Channel

Language = Literal["vi", "en"]
KEPT_TASKS = 60  # a citizen's newest task ids kept on the state (older ones stay in the store)
KEPT_SENDS = 10
CONTACT_SECTIONS = {"identity", "contact", "all"}  # changes records sends contact details for


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Preferences(Frozen):
    channels: tuple[Channel, ...] = ()  # the citizen's own order; empty: the default ladder
    opt_out: bool = False
    language: Language = "vi"
    email: str | None = None
    push_token: str | None = None


class Appointment(Frozen):
    day: date
    facility_code: str


class Visit(Frozen):
    facility_code: str
    at: datetime


class CitizenState(Frozen):
    person_id: str
    version: int = 0  # the record version last applied: an older change is a replay
    ward_code: str | None = None
    missing: tuple[str, ...] = ()
    best_next: str | None = None
    appointments: tuple[Appointment, ...] = ()
    visits: tuple[Visit, ...] = ()  # the latest visit at each facility
    phone: str | None = None
    representative_phone: str | None = None
    merged_into: str | None = None
    # records announces a change that may bring contact details before those details: a
    # reminder waits while the contact version is behind the change that promised one
    contact_version: int = 0
    awaited_contact: int = 0
    preferences: Preferences = Preferences()
    completeness_sent: tuple[datetime, ...] = ()
    campaigns: dict[str, int] = {}  # completeness reminders sent per campaign
    tasks: tuple[str, ...] = ()

    def with_change(self, change: RecordChangedData, at: datetime) -> CitizenState:
        visits = self.visits
        if change.change in ("visit_added", "visit_revised") and change.visit_key:
            facility = change.visit_key.split(":", 1)[0]
            others = tuple(v for v in visits if v.facility_code != facility)
            visits = (*others, Visit(facility_code=facility, at=at))
        return self.model_copy(
            update={
                "version": change.version,
                "ward_code": change.ward_code or self.ward_code,
                "missing": tuple(change.completeness.missing),
                "best_next": change.completeness.best_next,
                "appointments": tuple(
                    Appointment(day=a.date, facility_code=a.facility_code)
                    for a in change.appointments
                ),
                "visits": visits,
                "awaited_contact": change.version
                if CONTACT_SECTIONS & set(change.sections)
                else self.awaited_contact,
            }
        )

    def with_tasks(self, ids: list[str]) -> CitizenState:
        known = [t for t in self.tasks if t not in ids]
        return self.model_copy(update={"tasks": tuple([*known, *ids][-KEPT_TASKS:])})

    def with_sent(self, campaign: str, at: datetime) -> CitizenState:
        campaigns = {**self.campaigns, campaign: self.campaigns.get(campaign, 0) + 1}
        sent = (*self.completeness_sent, at)[-KEPT_SENDS:]
        return self.model_copy(update={"completeness_sent": sent, "campaigns": campaigns})

    def addresses(self) -> dict[Channel, str]:
        """Where each channel would reach the citizen (Zalo ZNS goes to the phone number)."""
        phone = self.phone or self.representative_phone
        found: dict[Channel, str | None] = {
            "app": self.preferences.push_token,
            "zalo": phone,
            "sms": phone,
            "email": self.preferences.email,
        }
        return {c: a for c, a in found.items() if a}

    @property
    def contact_pending(self) -> bool:
        return self.awaited_contact > self.contact_version

    def steps(self) -> list[tuple[Channel, str]]:
        """The channels to try, in the citizen's order, each with its address."""
        return ladder(self.preferences.channels or None, self.addresses())

    @property
    def first_channel(self) -> Channel:
        """The channel a reminder would go on first (announced when it is planned)."""
        steps = self.steps()
        return steps[0][0] if steps else "sms"

    def last_visit(self, facility_code: str) -> datetime | None:
        return next((v.at for v in self.visits if v.facility_code == facility_code), None)
