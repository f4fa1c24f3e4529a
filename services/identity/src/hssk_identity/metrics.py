"""identity metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter

RESOLUTIONS = Counter(
    "identity_resolutions_total",
    "Resolutions, by decision and what decided",
    ["decision", "matched_on"],
)
REVIEWS_OPENED = Counter("identity_reviews_opened_total", "Resolutions queued for a person")
REVIEWS_RESOLVED = Counter(
    "identity_reviews_resolved_total", "Reviews resolved, by resolution", ["resolution"]
)
MERGES = Counter("identity_merges_total", "Merges and unmerges", ["action"])
IMPORT_ROWS = Counter("identity_import_rows_total", "Bulk import rows, by outcome", ["outcome"])
