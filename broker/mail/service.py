"""The outbox. `enqueue` writes messages in the caller's transaction, so a request that
fails sends nothing and one that commits sends everything; `deliver` (a job) sends what is
due, claiming each message first so that no other runner sends it. A message is sent once:
were the process to die between the server's acceptance and the mark, it would go again
(after its claim ran out) with the same Message-ID, which receiving systems use to
recognise it."""

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
from broker.errors import Conflict, Forbidden, NotFound
from broker.identity.models import Role
from broker.identity.principal import Principal
from broker.mail.models import OutboxMessage, OutboxStatus
from broker.mail.transport import SMTP_TIMEOUT, Transport, transport

FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)  # the back-off doubles up to this
MAX_ATTEMPTS = 12  # about six hours of trying, then the admin sees it as failed
BATCH = 100
CLAIM = timedelta(seconds=3 * SMTP_TIMEOUT)  # a claimed message waits this long for its sender
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
    """Send what is due; one connection to the server for all. Each message is claimed in a
    short transaction (so no other runner takes it), sent with no transaction open (a slow
    server holds no lock, not even SQLite's one writer), then marked in another. One that
    cannot be sent waits its back-off, or fails at once when the server refuses it for good;
    a failed connection ends the run (the rest go next time). Returns how many were sent."""
    sent = 0
    with ExitStack() as stack:
        connection: list[Transport] = []

        def connect() -> Transport:
            if not connection:
                connection.append(stack.enter_context(transport(settings)))
            return connection[0]

        for _ in range(limit):
            with sessions() as session:
                claimed = _claim(session)
            if claimed is None:
                break
            row_id, raw = claimed
            error: Exception | None = None
            try:
                _send(connect(), raw)
            except Exception as exc:  # whatever it is, this message must not stop the others
                error = exc
                stack.close()  # the next message on a connection of its own
                connection.clear()
            with sessions() as session:
                row = session.get_one(OutboxMessage, row_id)  # claimed: still pending
                if error is None:
                    _sent(row)
                else:
                    _postpone(row, error)
                session.flush()
            if error is None:
                sent += 1
            elif not _permanent(error):
                break
    return sent


def _claim(session: Session) -> tuple[str, bytes] | None:
    """The oldest due message, put out of every runner's reach for CLAIM."""
    row = session.scalar(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now()))
        .order_by(OutboxMessage.created_at).limit(1).with_for_update(skip_locked=True))
    if row is None or row.message is None:
        return None
    row.next_attempt_at = now() + CLAIM
    session.flush()
    return row.id, row.message


def _send(connection: Transport, raw: bytes) -> None:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    recipients = [address for _, address in getaddresses(headers.get_all("To", []))]
    connection.sendmail(str(headers["From"]), recipients, raw)


def _sent(row: OutboxMessage) -> None:
    row.status, row.sent_at, row.message = OutboxStatus.SENT, now(), None
    row.attempts += 1


def _permanent(error: Exception) -> bool:
    """Trying again would not help: the server refused the message or its recipient for
    good (5xx), or the message cannot be written to it at all (an address smtplib cannot
    encode)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return (isinstance(code, int) and code >= 500) or isinstance(error, UnicodeError)


def _postpone(row: OutboxMessage, error: Exception) -> None:
    """Try again later, twice as long each time; after MAX_ATTEMPTS, or at once when the
    refusal is permanent, give up (the message stays for the admin to see and send again).
    The error names its kind and SMTP code, no address."""
    row.attempts += 1
    code = getattr(error, "smtp_code", None)
    row.last_error = f"{type(error).__name__}{f' {code}' if code else ''}"[:200]
    if row.attempts >= MAX_ATTEMPTS or _permanent(error):
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


def _require_admin(actor: Principal) -> None:
    if not actor.has_role(Role.ADMIN):
        raise Forbidden("This needs the role admin.", code="wrong_role")


def overview(session: Session, *, actor: Principal, limit: int = 100) -> Overview:
    """For the admin: how many messages wait, were sent or failed, and the ones not sent
    (failed first, then the oldest waiting), without addresses or text."""
    _require_admin(actor)
    counts = {status: 0 for status in OutboxStatus}
    counts.update({OutboxStatus(status): count for status, count in session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))})
    rows = session.execute(select(
        OutboxMessage.id, OutboxMessage.kind, OutboxMessage.status, OutboxMessage.attempts,
        OutboxMessage.created_at, OutboxMessage.next_attempt_at, OutboxMessage.sent_at,
        OutboxMessage.last_error).where(OutboxMessage.status != OutboxStatus.SENT)
        .order_by(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.created_at)
        .limit(limit)).all()
    waiting = [Entry(r.id, r.kind, OutboxStatus(r.status), r.attempts, r.created_at,
                     r.next_attempt_at if r.status == OutboxStatus.PENDING else None,
                     r.sent_at, r.last_error) for r in rows]
    oldest = session.scalar(select(func.min(OutboxMessage.created_at)).where(
        OutboxMessage.status == OutboxStatus.PENDING))
    return Overview(counts, waiting, oldest)


class NotFailed(Conflict):
    code, title = "not_failed", "Only a message that failed can be sent again"


def send_again(session: Session, *, actor: Principal, message_id: str) -> None:
    """The admin puts a failed message back in line (after a long outage of the mail
    server, say): it is tried again at once, with a fresh count of attempts."""
    _require_admin(actor)
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("No such message.")
    if row.status != OutboxStatus.FAILED or row.message is None:
        raise NotFailed("Only a message that failed can be sent again.")
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.PENDING, 0, None
    session.flush()
