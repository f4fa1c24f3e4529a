"""notify metrics (bus metrics come from hssk_kit.metrics)."""

from prometheus_client import Counter

REMINDERS = Counter("notify_reminders_scheduled_total", "Reminders scheduled, by kind", ["kind"])
