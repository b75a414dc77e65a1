"""The broker's mailbox over IMAP (imaplib): where calendar answers to invitations arrive.

Each unread message is handed to `apply` (which runs its own transaction) and marked read only
after that returned, so an answer is never lost: if the broker stops in between, the message is
read again next time, and applying an answer twice changes nothing."""

import imaplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import structlog

from broker.config import Settings

log = structlog.get_logger("broker.meetings.mailbox")
MAX_BYTES = 1_000_000  # a calendar answer is a few kB; more of a message is not read


@contextmanager
def _connected(settings: Settings) -> Iterator[imaplib.IMAP4]:
    assert settings.imap_host is not None
    imap = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port,
                             ssl_context=ssl.create_default_context(), timeout=30) \
        if settings.imap_tls else imaplib.IMAP4(settings.imap_host, settings.imap_port,
                                                timeout=30)
    try:
        imap.login(settings.imap_user or "", settings.imap_password or "")
        yield imap
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def read_unread(settings: Settings, apply: Callable[[bytes], str]) -> int:
    """Hand every unread message to `apply`, then mark it read; returns how many. Does
    nothing without an IMAP host."""
    if settings.imap_host is None:
        return 0
    done = 0
    with _connected(settings) as imap:
        imap.select(settings.imap_folder)
        _, found = imap.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").decode().split():
            _, data = imap.uid("FETCH", uid, f"(BODY.PEEK[]<0.{MAX_BYTES}>)")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            try:
                outcome = apply(raw) if raw is not None else "empty"
            except Exception as exc:  # the database, say: this one is read again next time
                log.warning("mailbox_message_failed", exc_type=type(exc).__name__)
                continue  # and the others are not held up by it
            log.info("mailbox_message", outcome=outcome)
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            done += 1
    return done
