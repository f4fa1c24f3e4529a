"""The sandbox's SMTP server (aiosmtpd): accepts mail and records each message in the outbox,
a repeated Message-ID flagged as a duplicate; e-mail faults answer RCPT or DATA."""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

from hssk_cli.sandbox.state import Sandbox

_AT_RCPT = ("unavailable", "timeout", "rate_limited", "user_inactive", "invalid_recipient")


class SmtpHandler:
    """aiosmtpd handler (`SMTP(SmtpHandler(sandbox))`)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.sandbox.requests["email"] += 1
        fault = self.sandbox.fault("email", address, kinds=_AT_RCPT)
        if fault is None:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        if fault.error == "timeout":
            await asyncio.sleep(fault.delay_s)
        if fault.error in ("user_inactive", "invalid_recipient"):
            return "550 5.1.1 Mailbox unavailable"
        return "451 4.3.0 Temporarily unavailable, try again later"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refused = (
            self.sandbox.fault("email", to, kinds=("rejected_content",)) for to in envelope.rcpt_tos
        )
        if any(refused):
            return "554 5.6.0 Message content refused"
        mail = email.message_from_bytes(
            envelope.original_content or b"", _class=EmailMessage, policy=email.policy.default
        )
        body = mail.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        mid = str(mail.get("Message-ID", ""))
        seen = ("email", mid) in self.sandbox.outbox.keys
        for to in envelope.rcpt_tos:
            self.sandbox.outbox.add(
                {
                    "channel": "email",
                    "to": to,
                    "from": str(envelope.mail_from),
                    "subject": str(mail.get("Subject", "")),
                    "text": text.replace("\r\n", "\n").rstrip("\n"),
                    "key": mid,
                    "provider_id": mid,
                    "duplicate": seen,
                }
            )
        return "250 Message accepted for delivery"


async def serve_smtp(sandbox: Sandbox, host: str, port: int) -> asyncio.Server:
    """An SMTP server on this event loop (port 0: a free one, see `server.sockets`)."""
    loop = asyncio.get_running_loop()
    handler = SmtpHandler(sandbox)
    return await loop.create_server(
        lambda: SMTP(handler, hostname="sandbox.hssk.local", loop=loop), host, port
    )
