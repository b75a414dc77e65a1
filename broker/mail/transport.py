"""How a message leaves: over SMTP, or into a directory of .eml files in development
(`BROKER_MAIL_DIR`). Only the delivery job uses this; requests write to the outbox."""

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from broker.clock import now
from broker.config import Settings
from broker.errors import BrokerError

SMTP_TIMEOUT = 30  # seconds; the delivery job waits, no request does


class MailFailed(BrokerError):
    status, code, title = 502, "mail_failed", "The mail server could not be reached"


class Transport(Protocol):
    def sendmail(self, from_addr: str, to_addrs: list[str], msg: bytes) -> object: ...


@dataclass(frozen=True)
class MailDirectory:
    """A development mailbox: each message becomes an .eml file."""

    path: Path

    def sendmail(self, from_addr: str, to_addrs: list[str], msg: bytes) -> object:
        self.path.mkdir(parents=True, exist_ok=True)
        name = msg.split(b"Message-ID: <", 1)[-1].split(b">", 1)[0].decode("ascii", "replace")
        (self.path / f"{name.replace('@', '_').replace('/', '_')}.eml").write_bytes(msg)
        return None


@contextmanager
def transport(settings: Settings) -> Iterator[Transport]:
    """The SMTP server, or the mail directory when one is set. MailFailed when the server
    cannot be reached."""
    if settings.mail_dir is not None:
        yield MailDirectory(settings.mail_dir)
        return
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(f"SMTP: {type(exc).__name__}") from None
    try:
        yield smtp
    finally:
        with suppress(OSError, smtplib.SMTPException):
            smtp.quit()


def plain_message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    """A message from the broker to one address, dated, with its own Message-ID and the
    text as UTF-8; no name in it."""
    message = EmailMessage()
    message["From"], message["To"] = settings.smtp_sender, to
    message["Date"] = format_datetime(now())
    message["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2]
                                       or "broker")
    message["Subject"] = subject
    message.set_content(text, charset="utf-8")
    return message
