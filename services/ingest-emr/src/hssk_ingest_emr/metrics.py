"""ingest-emr metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter

VISITS = Counter(
    "ingest_emr_visits_total", "Visits received, by format and decision", ["format", "decision"]
)
SENSITIVE = Counter(
    "ingest_emr_sensitive_kept_apart_total",
    "HIV/TB tables and diagnoses kept out of the general record (counted, never forwarded)",
    ["table"],
)
WARNINGS = Counter("ingest_emr_warnings_total", "Warnings attached to accepted visits", ["rule"])
REPLAYS = Counter("ingest_emr_dlq_replays_total", "Dead-letter replays, by outcome", ["outcome"])
PARTS_REJECTED = Counter(
    "ingest_emr_file_parts_rejected_total",
    "Visits of a QĐ 130 file of several HOSO dead-lettered alone (the file's others went on)",
)
