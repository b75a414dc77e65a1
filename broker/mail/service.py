"""The outbox. `enqueue` writes messages in the caller's transaction, so a request that
fails sends nothing and one that commits sends everything; `deliver` (a job) sends what is
due, one message per transaction, and marks it sent in that transaction. A message is sent
once: were the process to die between the server's acceptance and the commit, it would go
again with the same Message-ID, which receiving systems use to recognise it."""

import smtplib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from broker.clock import now
from broker.config import Settings
from broker.errors import Forbidden
from broker.identity.models import Role
from broker.identity.principal import Principal
from broker.mail.models import OutboxMessage, OutboxStatus
from broker.mail.transport import MailFailed, Transport, transport

FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)  # the back-off doubles up to this
MAX_ATTEMPTS = 12  # about six hours of trying, then the admin sees it as failed
BATCH = 100
KEEP = timedelta(days=30)  # what is left of a sent or failed message, then it goes
_WIRE = policy.SMTP  # CRLF line ends, as the message goes over the wire


def enqueue(session: Session, messages: Iterable[EmailMessage], *, kind: str) -> int:
    """Put messages in the outbox, in the caller's transaction; returns how many."""
    rows = [OutboxMessage(kind=kind, message=message.as_bytes(policy=_WIRE))
            for message in messages]
    session.add_all(rows)
    session.flush()
    return len(rows)


def deliver(sessions: Callable[[], AbstractContextManager[Session]], settings: Settings,
            *, limit: int = BATCH) -> int:
    """Send what is due, each message in a transaction of its own from `sessions`; one
    connection to the server for all. Stops at the first failure (that message waits its
    back-off; the rest go next time). Returns how many were sent."""
    sent = 0
    with ExitStack() as stack:
        connection: list[Transport] = []

        def connect() -> Transport:
            if not connection:
                connection.append(stack.enter_context(transport(settings)))
            return connection[0]

        while sent < limit:
            with sessions() as session:
                row = session.scalar(select(OutboxMessage).where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    or_(OutboxMessage.next_attempt_at.is_(None),
                        OutboxMessage.next_attempt_at <= now()))
                    .order_by(OutboxMessage.created_at).limit(1)
                    .with_for_update(skip_locked=True))
                if row is None or row.message is None:
                    break
                try:
                    _send(connect(), row.message)
                except (MailFailed, OSError, smtplib.SMTPException) as exc:
                    _postpone(row, exc)
                    session.flush()
                    break
                row.status, row.sent_at, row.message = OutboxStatus.SENT, now(), None
                row.attempts += 1
                session.flush()
                sent += 1
    return sent


def _send(connection: Transport, raw: bytes) -> None:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    recipients = [address for _, address in getaddresses(headers.get_all("To", []))]
    connection.sendmail(str(headers["From"]), recipients, raw)


def _postpone(row: OutboxMessage, error: Exception) -> None:
    """Try again later, twice as long each time; after MAX_ATTEMPTS, give up (and keep the
    message for the admin to see). The error names its kind and SMTP code, no address."""
    row.attempts += 1
    code = getattr(error, "smtp_code", None)
    row.last_error = f"{type(error).__name__}{f' {code}' if code else ''}"[:200]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
        return
    row.next_attempt_at = now() + min(FIRST_RETRY * 2 ** (row.attempts - 1), LAST_RETRY)


def forget_old(session: Session) -> int:
    """Sent and failed messages older than KEEP go (a failed one with its text)."""
    result = session.execute(delete(OutboxMessage).where(
        OutboxMessage.status != OutboxStatus.PENDING,
        OutboxMessage.created_at < now() - KEEP))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Overview:
    counts: dict[OutboxStatus, int]
    waiting: list[Entry]  # pending and failed, oldest first
    oldest_pending: datetime | None


def overview(session: Session, *, actor: Principal, limit: int = 100) -> Overview:
    """For the admin: how many messages wait, were sent or failed, and the ones not sent,
    without addresses or text."""
    if not actor.has_role(Role.ADMIN):
        raise Forbidden("This needs the role admin.", code="wrong_role")
    counts = {status: 0 for status in OutboxStatus}
    counts.update({OutboxStatus(status): count for status, count in session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))})
    rows = session.execute(select(
        OutboxMessage.id, OutboxMessage.kind, OutboxMessage.status, OutboxMessage.attempts,
        OutboxMessage.created_at, OutboxMessage.next_attempt_at, OutboxMessage.sent_at,
        OutboxMessage.last_error).where(OutboxMessage.status != OutboxStatus.SENT)
        .order_by(OutboxMessage.created_at).limit(limit)).all()
    waiting = [Entry(r.id, r.kind, OutboxStatus(r.status), r.attempts, r.created_at,
                     r.next_attempt_at if r.status == OutboxStatus.PENDING else None,
                     r.sent_at, r.last_error) for r in rows]
    oldest = session.scalar(select(func.min(OutboxMessage.created_at)).where(
        OutboxMessage.status == OutboxStatus.PENDING))
    return Overview(counts, waiting, oldest)
