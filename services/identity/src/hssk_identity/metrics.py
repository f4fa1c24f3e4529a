"""identity metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter

RESOLUTIONS = Counter(
    "identity_resolutions_total",
    "Visits resolved to a person, by decision",
    ["decision", "matched_on"],
)
