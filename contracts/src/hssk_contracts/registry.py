"""Which event models each enveloped topic carries. Raw-format topics (XML, FHIR) carry none."""

from __future__ import annotations

from typing import Any

from hssk_contracts import events, topics

EVENTS_BY_TOPIC: dict[str, Any] = {
    topics.EMR_VISIT.name: events.VisitSubmitted,
    topics.EMR_VISIT_ACCEPTED.name: events.VisitAccepted,
    topics.EMR_VISIT_DLQ.name: events.VisitRejected,
    topics.RECORDS_VISIT.name: events.VisitResolved,
    topics.IDENTITY_PERSON.name: events.PersonEvent,
    topics.RECORDS_CHANGE.name: events.RecordChanged,
    topics.NOTIFY_REMINDER.name: events.ReminderEvent,
    topics.RECORDS_CONTACT.name: events.ContactChanged,
    topics.PLATFORM_DLQ.name: events.EventRejected,
    topics.AUDIT_ACCESS.name: events.AccessRecorded,
}
