"""records metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter

VISITS_APPLIED = Counter(
    "records_visits_applied_total", "Resolved visits applied to records, by outcome", ["outcome"]
)
READS = Counter(
    "records_reads_total", "Record reads over HTTP, by role and outcome", ["role", "outcome"]
)
CATCH_UPS = Counter(
    "records_catch_ups_total",
    "Record events finished by a later writer (a crash or a race left the record behind)",
)
