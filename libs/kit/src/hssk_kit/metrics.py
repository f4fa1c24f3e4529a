"""Metrics every service exposes for its bus traffic. Labels are low-cardinality (no person ids)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CONSUMED = Counter(
    "hssk_bus_messages_total",
    "Messages a consumer finished, by outcome",
    ["service", "topic", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "hssk_bus_handler_seconds",
    "Time to handle one message (decode, writes, publish enqueue)",
    ["service", "topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
BATCH_SECONDS = Histogram(
    "hssk_bus_batch_seconds",
    "Time from fetching a batch to committing its offsets",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LAG = Gauge(
    "hssk_bus_consumer_lag", "Messages behind the partition end, per topic", ["service", "topic"]
)
DEAD_LETTERS = Counter(
    "hssk_bus_dead_letters_total",
    "Messages sent to a dead-letter topic, by reason",
    ["service", "topic", "reason"],
)
COMMITS_REFUSED = Counter(
    "hssk_bus_commits_refused_total",
    "Offset commits the group refused (membership lost to a restart or rebalance): redelivered",
    ["service"],
)
RETRIES = Counter(
    "hssk_bus_retries_total", "Transient failures retried before committing", ["service", "topic"]
)
POISON = Counter(
    "hssk_bus_poison_messages_total",
    "Messages whose handling or dead letter failed for good, sent as a minimal poison record",
    ["service", "topic"],
)
POISON_LOST = Counter(
    "hssk_bus_poison_lost_total",
    "Poison messages whose minimal record was refused too: logged critical and skipped",
    ["service", "topic"],
)
PUBLISHED = Counter(
    "hssk_bus_published_total",
    "Events published and acknowledged by the broker",
    ["service", "topic"],
)
AUDITED = Counter(
    "hssk_audit_entries_total",
    "Audit entries published to the audit topic, by action and outcome",
    ["service", "action", "outcome"],
)
AUDIT_EXPECTED = Counter(
    "hssk_audit_expected_total",
    "Answered calls of routes that must leave an audit entry (compare hssk_audit_entries_total)",
    ["service", "action"],
)
MONGO_BATCH = Histogram(
    "hssk_mongo_batch_size",
    "Documents asked for (reads by _id) or written (inserts) per MongoDB command, when batched",
    ["collection", "op"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
AUTH_REJECTED = Counter(
    "hssk_auth_rejected_total",
    "Requests refused for their bearer token, by reason (a fixed set: hssk_kit.auth.REASONS)",
    ["service", "reason"],
)
