"""notify metrics (bus metrics come from hssk_kit.metrics). Labels are low-cardinality: kind,
status, reason, channel, error class; never a person or an address."""

from prometheus_client import Counter, Gauge, Histogram

TASKS_PLANNED = Counter("notify_tasks_planned_total", "Reminder tasks planned, by kind", ["kind"])
OUTCOMES = Counter(
    "notify_reminders_total",
    "Reminders finished, by kind, outcome (sent, failed, suppressed) and channel or reason",
    ["kind", "outcome", "detail"],
)
SENDS = Counter(
    "notify_channel_sends_total", "Sends asked of a channel, by answer", ["channel", "answer"]
)
DEFERRED = Counter("notify_deferred_total", "Reminders deferred (sending window, number cap)")
UNACCENTED = Counter(
    "notify_sms_unaccented_total", "SMS resent without diacritics after a gateway refused them"
)
SCHEDULER_LAG = Gauge(
    "notify_scheduler_lag_seconds", "How far the scheduler's due cursor is behind the clock"
)
SCHEDULER_LEADER = Gauge(
    "notify_scheduler_leader", "1 while this replica holds the scheduler's lease, else 0"
)
SWEPT = Counter("notify_swept_states_total", "Citizens' states read by the daily sweep")
RECEIPTS = Counter(
    "notify_receipts_total",
    "Delivery receipts from providers, by channel and what they did (delivered, sent_again, "
    "repeat, stale, unknown; refused ones are counted by why)",
    ["channel", "outcome"],
)
DISPATCH_ERRORS = Counter(
    "notify_dispatch_errors_total", "Due tasks whose dispatch raised (tried again next tick)"
)

# Channel adapters (adapters/channels): every provider call, its retries and circuit changes.
CHANNEL_ATTEMPTS = Counter(
    "notify_channel_attempts_total",
    "Provider calls by channel and outcome (accepted or an error class)",
    ["channel", "outcome"],
)
CHANNEL_RETRIES = Counter(
    "notify_channel_retries_total", "Provider calls retried after a transient failure", ["channel"]
)
CHANNEL_SECONDS = Histogram(
    "notify_channel_send_seconds",
    "Time of one provider call",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CHANNEL_CIRCUIT = Counter(
    "notify_channel_circuit_transitions_total",
    "Circuit breaker state changes by channel and the state entered",
    ["channel", "state"],
)
