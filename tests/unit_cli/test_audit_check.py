"""`hssk audit check`: the comparison of audited calls with audit entries, from /metrics text."""

from __future__ import annotations

from hssk_cli import audit

PAGE = """# HELP hssk_audit_expected_total Answered calls of routes that must leave an audit entry
# TYPE hssk_audit_expected_total counter
hssk_audit_expected_total{action="record.read",service="records"} 5.0
hssk_audit_expected_total{action="reminders.read",service="notify"} 2.0
# HELP hssk_audit_entries_total Audit entries published to the audit topic
# TYPE hssk_audit_entries_total counter
hssk_audit_entries_total{action="record.read",outcome="allowed",service="records"} 3.0
hssk_audit_entries_total{action="record.read",outcome="denied",service="records"} 2.0
hssk_audit_entries_total{action="reminders.read",outcome="allowed",service="notify"} 1.0
"""


def test_a_call_without_its_entry_is_a_gap():
    expected, entries = audit.counts(PAGE)
    assert expected[("records", "record.read")] == 5 and entries[("records", "record.read")] == 5
    assert audit.gaps(expected, entries) == {("notify", "reminders.read"): (2.0, 1.0)}
