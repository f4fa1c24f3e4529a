"""ingest-emr metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter

VISITS = Counter(
    "ingest_emr_visits_total", "Visits received, by format and decision", ["format", "decision"]
)
WARNINGS = Counter("ingest_emr_warnings_total", "Warnings attached to accepted visits", ["rule"])
