"""E-mail over SMTP (aiosmtplib): one try per call. The Message-ID is derived from the message's
idempotency key, so a resent reminder is recognisably the same mail to any server or reader."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from hssk_notify.adapters.channels.resilience import Attempt
from hssk_notify.domain.messages import Channel, Message


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@hssk.notify>"


def compose(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage()  # the default policy writes UTF-8 headers and body
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Message-ID"] = message_id(message.key)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail.set_content(message.text, charset="utf-8")
    return mail


class SmtpProvider:
    """A `Provider` for the e-mail channel. STARTTLS and AUTH only when asked for."""

    channel: Channel = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        start_tls: bool = False,
        timeout_s: float = 5.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self._username, self._password = username, password
        self._start_tls = start_tls
        self._timeout = timeout_s

    async def attempt(self, message: Message) -> Attempt:
        mail = compose(message, self.sender)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self.host,
                port=self.port,
                username=self._username or None,
                password=self._password or None,
                start_tls=self._start_tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _refused_recipient(exc.recipients[0] if exc.recipients else None)
        except aiosmtplib.SMTPRecipientRefused as exc:
            return _refused_recipient(exc)
        except aiosmtplib.SMTPResponseException as exc:
            return _response(exc)
        except (aiosmtplib.SMTPTimeoutError, TimeoutError) as exc:
            return Attempt(False, error="timeout", detail=f"smtp: {exc}"[:300])
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Attempt(False, error="unavailable", detail=f"smtp: {exc!r}"[:300])
        return Attempt(True, provider_id=str(mail["Message-ID"]))


def _refused_recipient(exc: aiosmtplib.SMTPRecipientRefused | None) -> Attempt:
    if exc is None or exc.code < 500:  # 4xx: mailbox busy, greylisting: try again later
        return Attempt(False, error="unavailable", detail=f"smtp recipient: {exc}"[:300])
    return Attempt(False, error="invalid_recipient", detail=f"smtp {exc.code}: {exc.message}"[:300])


def _response(exc: aiosmtplib.SMTPResponseException) -> Attempt:
    detail = f"smtp {exc.code}: {exc.message}"[:300]
    if exc.code < 500:
        return Attempt(False, error="unavailable", detail=detail)
    if isinstance(exc, aiosmtplib.SMTPDataError):  # the server read the mail and refused it
        return Attempt(False, error="rejected_content", detail=detail)
    return Attempt(False, error="unavailable", detail=detail)  # our sender or auth refused
