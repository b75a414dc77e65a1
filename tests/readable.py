"""What a reader sees in a response or a mail, for tests that search it for personal data:
iCalendar unfolded (RFC 5545 §3.1: a line break followed by one space or tab continues the
line, so a folded address is split in the raw text), and mails decoded (RFC 2047 headers,
base64 and quoted-printable parts, attachments included)."""

import email
import re
from email import policy
from email.message import EmailMessage

FOLD = re.compile(r"\r?\n[ \t]")


def unfolded(text: str) -> str:
    return FOLD.sub("", text)


def searchable(text: str) -> str:
    """The text as sent and unfolded, one after the other (unfolding must not hide what the
    raw text shows)."""
    return f"{text}\n{unfolded(text)}"


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def recipients(raw: bytes) -> set[str]:
    """The addresses a mail is for (To and Cc; Bcc is not in a message as sent)."""
    message = parsed(raw)
    return {address.addr_spec.lower() for field in ("To", "Cc") if message[field]
            for address in message[field].addresses}


def mail_text(raw: bytes) -> str:
    """Everything a recipient's mail program can show: the raw message, its headers decoded,
    and every part decoded from its transfer encoding and charset, each also unfolded."""
    message = parsed(raw)
    texts = [raw.decode("utf-8", "replace")]
    texts += [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return searchable("\n".join(texts))


def calendars_in(raw: bytes) -> list[bytes]:
    """The decoded text/calendar parts of a mail."""
    found = []
    for part in parsed(raw).walk():
        payload = part.get_payload(decode=True)
        if part.get_content_type() == "text/calendar" and isinstance(payload, bytes):
            found.append(payload)
    return found
