"""The topic registry: every topic's name, key, partitions, retention, producers and consumers.

Services import these constants; no service spells a topic name as a string literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Cleanup = Literal["delete", "compact"]
Format = Literal["envelope-json", "qd130-xml", "fhir-r4-json"]

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    partitions: int
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    description: str
    format: Format = "envelope-json"
    cleanup: Cleanup = "delete"
    retention_ms: int = 7 * DAY_MS
    event_types: tuple[str, ...] = field(default=())

    @property
    def config(self) -> dict[str, str]:
        """Broker-side topic config, as created by `hssk dev up` and the k8s topic job."""
        conf: dict[str, str] = {"cleanup.policy": self.cleanup}
        if self.cleanup == "delete":
            conf["retention.ms"] = str(self.retention_ms)
        else:
            conf["min.compaction.lag.ms"] = str(60_000)
        return conf


EMR_VISIT = Topic(
    name="emr.visit.v1",
    key="facility_code:visit_id",
    partitions=6,
    producers=("hospital HIS", "ingest-emr HTTP"),
    consumers=("ingest-emr",),
    description="Canonical JSON visits submitted by hospitals (envelope, type VisitSubmitted).",
    event_types=("VisitSubmitted",),
    retention_ms=14 * DAY_MS,
)
EMR_VISIT_XML130 = Topic(
    name="emr.visit-xml130.v1",
    key="facility_code:MA_LK",
    partitions=6,
    producers=("hospital HIS",),
    consumers=("ingest-emr",),
    description="QĐ 130/4750/3176 GIAMDINHHS XML bundles, raw bytes as sent to the BHYT gateway.",
    format="qd130-xml",
    retention_ms=14 * DAY_MS,
)
EMR_VISIT_FHIR = Topic(
    name="emr.visit-fhir.v1",
    key="facility_code:encounter_id",
    partitions=6,
    producers=("hospital HIS",),
    consumers=("ingest-emr",),
    description="HL7 FHIR R4 Bundles (JSON), one visit per bundle.",
    format="fhir-r4-json",
    retention_ms=14 * DAY_MS,
)
EMR_VISIT_ACCEPTED = Topic(
    name="emr.visit.accepted.v1",
    key="facility_code:visit_id",
    partitions=6,
    producers=("ingest-emr",),
    consumers=("identity",),
    description="Validated, de-duplicated canonical visits, whatever format they arrived in.",
    event_types=("VisitAccepted",),
)
EMR_VISIT_DLQ = Topic(
    name="emr.visit.dlq.v1",
    key="source key, or 'unknown'",
    partitions=1,
    producers=("ingest-emr",),
    consumers=("ingest-emr replay", "operators"),
    description="Rejected hospital input: reasons, original bytes and where it came from.",
    event_types=("VisitRejected",),
    retention_ms=90 * DAY_MS,
)
RECORDS_VISIT = Topic(
    name="records.visit.v1",
    key="person_id",
    partitions=6,
    producers=("identity",),
    consumers=("records",),
    description="Accepted visits resolved to a person, keyed by person_id: one writer per record.",
    event_types=("VisitResolved",),
)
IDENTITY_PERSON = Topic(
    name="identity.person.v1",
    key="person_id",
    partitions=6,
    producers=("identity",),
    consumers=("records", "other city systems"),
    description="The latest state of each person in the master citizen index (compacted).",
    event_types=("PersonCreated", "PersonUpdated", "PersonMerged", "PersonUnmerged"),
    cleanup="compact",
)
RECORDS_CHANGE = Topic(
    name="records.change.v1",
    key="person_id",
    partitions=6,
    producers=("records",),
    consumers=("notify", "records", "other city systems"),  # records: its statistics
    description="A citizen's record changed: what changed and how complete the record now is.",
    event_types=("RecordChanged",),
)
NOTIFY_REMINDER = Topic(
    name="notify.reminder.v1",
    key="person_id",
    partitions=6,
    producers=("notify",),
    consumers=("records", "operators"),  # records folds them into its statistics
    description="Reminders to citizens: scheduled, then sent, delivered, failed or suppressed "
    "(with the reason), and completed when the citizen filled the item; each names the "
    "reminder's dedupe key.",
    event_types=(
        "ReminderScheduled",
        "ReminderSent",
        "ReminderDelivered",
        "ReminderFailed",
        "ReminderSuppressed",
        "ReminderCompleted",
    ),
)
RECORDS_CONTACT = Topic(
    name="records.contact.v1",
    key="person_id",
    partitions=6,
    producers=("records",),
    consumers=("notify",),
    description="How a citizen can be reached (trusted phone numbers, ward); for notify only.",
    cleanup="compact",
    event_types=("ContactChanged",),
)
PLATFORM_DLQ = Topic(
    name="platform.dlq.v1",
    key="source key",
    partitions=1,
    producers=("identity", "records", "notify"),
    consumers=("operators",),
    description="Internal events a service could not apply after retries (bug or contract breach).",
    event_types=("EventRejected",),
    retention_ms=90 * DAY_MS,
)
AUDIT_ACCESS = Topic(
    name="audit.access.v1",
    key="person_id, or ops:<service> for actions on no one's record",
    partitions=6,
    producers=("identity", "records", "ingest-emr", "notify"),
    consumers=("records",),
    description="Every read of, and refused attempt on, health data: the citizen's access log "
    "is built from it (append-only, hash-chained per citizen in records).",
    event_types=("AccessRecorded",),
    retention_ms=400 * DAY_MS,  # security logs are kept at least 12 months
)

ALL: tuple[Topic, ...] = (
    EMR_VISIT,
    EMR_VISIT_XML130,
    EMR_VISIT_FHIR,
    EMR_VISIT_ACCEPTED,
    EMR_VISIT_DLQ,
    RECORDS_VISIT,
    IDENTITY_PERSON,
    RECORDS_CHANGE,
    NOTIFY_REMINDER,
    RECORDS_CONTACT,
    PLATFORM_DLQ,
    AUDIT_ACCESS,
)
BY_NAME: dict[str, Topic] = {t.name: t for t in ALL}
