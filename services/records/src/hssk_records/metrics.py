"""records metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter, Histogram

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
STATS_FOLDED = Counter(
    "records_stats_changes_folded_total", "Record changes folded into the statistics"
)
STATS_RECOVERED = Counter(
    "records_stats_recoveries_total",
    "Journalled statistics batches finished after a crash interrupted them",
)
STATS_QUERY = Histogram(
    "records_stats_query_seconds",
    "Statistics answers, by dataset (the tallies cached, the disclosure gate applied)",
    ["dataset"],
)
