"""The e-mail channel: one message over SMTP with aiosmtplib (asyncio, so a slow server
holds no thread), STARTTLS and login when the settings ask for them (production)."""

from __future__ import annotations

import html
import ssl
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from services.notifications.application.channels import Failed, Outcome, Outgoing, Retry, Sent


class EmailChannel:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        tls_context: ssl.SSLContext | None = None,
        timeout_s: float = 15,
        id_domain: str = "notifications.oms",
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.tls_context = tls_context
        self.timeout_s = timeout_s
        self.id_domain = id_domain

    def compose(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.address
        mail["Subject"] = message.title
        mail["Date"] = formatdate(localtime=False)
        # The stable id: a resend after a crash is the same message to the receiving side.
        mail["Message-ID"] = f"<{message.message_id}@{self.id_domain}>"
        if message.urgent:
            mail["Importance"] = "high"
        mail.set_content(f"{message.body}\n\nОткрыть: {message.url}\n")
        body, url = html.escape(message.body), html.escape(message.url, quote=True)
        mail.add_alternative(f'<p>{body}</p><p><a href="{url}">Открыть</a></p>', subtype="html")
        return mail

    async def send(self, message: Outgoing) -> Outcome:
        try:
            await aiosmtplib.send(
                self.compose(message),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                tls_context=self.tls_context,
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            return _by_code(refused.recipients[0].code if refused.recipients else 550, refused)
        except aiosmtplib.SMTPResponseException as answered:
            return _by_code(answered.code, answered)
        except (aiosmtplib.SMTPException, OSError) as failed:  # connect, timeout, TLS
            return Retry(f"{type(failed).__name__}: {failed}")
        return Sent()


def _by_code(code: int, error: Exception) -> Outcome:
    """5xx: the server refuses this message for good (a bad address): park it. 4xx: try later.
    Authentication failures (535) are the settings', not the message's: retried, and parked
    when they keep failing, where an admin sees them."""
    reason = f"SMTP {code}: {error}"
    if code >= 500 and code != 535:
        return Failed(reason)
    return Retry(reason)
