"""`hssk dlq list|replay`: operators' bulk handling of dead letters through ingest-emr's API
(so every read and replay is authorised and audited there, as from the browser)."""

from __future__ import annotations

import sys

import httpx

from hssk_cli import stack
from hssk_cli.paths import Layout
from hssk_kit import devtokens


def _client(layout: Layout, token: str | None) -> httpx.Client:
    if token is None:  # local stack: a dev operator token
        private, _ = devtokens.ensure_keys(layout.keys)
        token = devtokens.mint(private, role="operator", subject="hssk-cli")
    return httpx.Client(
        base_url=stack.BY_NAME["ingest-emr"].url,
        timeout=30,
        headers={"Authorization": f"Bearer {token}"},
    )


def run(
    layout: Layout,
    action: str,
    *,
    facility: str | None,
    reason: str | None,
    since: str | None,
    limit: int,
    token: str | None,
    dry_run: bool,
) -> int:
    params = {
        k: v
        for k, v in {
            "facility": facility,
            "reason": reason,
            "since": since,
            "status": "open",
            "limit": limit,
        }.items()
        if v is not None
    }
    with _client(layout, token) as client:
        listed = client.get("/v1/dlq", params=params)
        if listed.status_code != 200:
            print(
                f"hssk dlq: listing failed ({listed.status_code}): {listed.text}", file=sys.stderr
            )
            return 1
        items = listed.json()["items"]
        for d in items:
            rules = ",".join(sorted({r["rule"] for r in d["reasons"]}))
            print(
                f"{d['dlq_id']}  {d['facility_code'] or '-':5}  {d['source_key'] or '-':40}"
                f"  {rules}"
            )
        if action == "list" or dry_run:
            print(f"{len(items)} open dead letter(s)")
            return 0
        counts = {"replayed": 0, "still_rejected": 0, "failed": 0}
        for d in items:
            answer = client.post(f"/v1/dlq/{d['dlq_id']}/replay")
            outcome = {200: "replayed", 422: "still_rejected"}.get(answer.status_code, "failed")
            counts[outcome] += 1
            print(f"{d['dlq_id']}: {outcome}")
        print(
            f"replayed {counts['replayed']}, still rejected {counts['still_rejected']}, "
            f"failed {counts['failed']}"
        )
        return 0 if counts["failed"] == 0 else 1
