"""`hssk records check | resend PERSON_ID...`: operators' checks of records through records'
API (authorised and audited there): rebuild each record from its events and compare it with
the stored one, or announce its latest change again (same event id)."""

from __future__ import annotations

import json

import httpx

from hssk_cli import stack
from hssk_cli.paths import Layout
from hssk_kit import devtokens

ROUTES = {"check": "rebuild-check", "resend": "resend"}


def run(layout: Layout, action: str, person_ids: list[str], token: str | None) -> int:
    if token is None:
        private, _ = devtokens.ensure_keys(layout.keys)
        token = devtokens.mint(private, role="operator", subject="hssk-cli")
    failed = 0
    with httpx.Client(
        base_url=stack.BY_NAME["records"].url,
        timeout=60,
        headers={"Authorization": f"Bearer {token}"},
    ) as http:
        for person_id in person_ids:
            answer = http.post(f"/v1/records/{person_id}/{ROUTES[action]}")
            body = answer.json()
            print(json.dumps(body, ensure_ascii=False))
            failed += answer.status_code >= 300 or (action == "check" and not body.get("equal"))
    return 1 if failed else 0
