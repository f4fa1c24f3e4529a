"""`hssk audit check | verify SUBJECT`: the audit trail as an operator checks it.

`check` compares, per service and action, the answered calls of routes that must leave an audit
entry (`hssk_audit_expected_total`, counted by the HTTP layer) with the entries published
(`hssk_audit_entries_total`): fewer entries than calls is a gap, and the command exits 1 (run it
daily, or alert on the same expression in Prometheus). `verify` walks one access log's hash
chain through records' API (so the check itself is authorised and audited)."""

from __future__ import annotations

import json
from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families

from hssk_cli import stack
from hssk_cli.paths import Layout
from hssk_kit import devtokens

Counts = dict[tuple[str, str], float]


def counts(metrics_text: str) -> tuple[Counts, Counts]:
    """(expected, entries) per (service, action) from one /metrics page."""
    expected: Counts = defaultdict(float)
    entries: Counts = defaultdict(float)
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if not sample.name.endswith("_total"):
                continue
            key = (sample.labels.get("service", ""), sample.labels.get("action", ""))
            if sample.name == "hssk_audit_expected_total":
                expected[key] += sample.value
            elif sample.name == "hssk_audit_entries_total":
                entries[key] += sample.value
    return expected, entries


def gaps(expected: Counts, entries: Counts) -> dict[tuple[str, str], tuple[float, float]]:
    return {k: (n, entries.get(k, 0.0)) for k, n in expected.items() if entries.get(k, 0.0) < n}


def check() -> int:
    found = 0
    for svc in stack.SERVICES:
        try:
            page = httpx.get(f"{svc.url}/metrics", timeout=10).text
        except httpx.HTTPError as exc:
            print(f"{svc.name:11} unreachable: {exc}")
            found += 1
            continue
        expected, entries = counts(page)
        missing = gaps(expected, entries)
        calls = sum(expected.values())
        print(f"{svc.name:11} {calls:8.0f} audited calls, {sum(entries.values()):8.0f} entries"
              + ("" if not missing else f"  GAP in {len(missing)} actions"))  # fmt: skip
        for (service, action), (n, got) in sorted(missing.items()):
            print(f"  gap: {service} {action}: {n:.0f} calls, {got:.0f} entries")
        found += len(missing)
    return 1 if found else 0


def verify(layout: Layout, subject: str, token: str | None) -> int:
    if token is None:
        private, _ = devtokens.ensure_keys(layout.keys)
        token = devtokens.mint(private, role="operator", subject="hssk-cli")
    url = f"{stack.BY_NAME['records'].url}/v1/access-logs/{subject}/verify"
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    print(json.dumps(response.json(), ensure_ascii=False, indent=2))
    return 0 if response.status_code == 200 and response.json().get("intact") else 1
