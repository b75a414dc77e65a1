"""The outbox: a message waits here, written in the transaction that caused it, until the
delivery job has sent it. Once sent, its text (addresses, links) is dropped; what remains
says when and after how many attempts."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # given up after MAX_ATTEMPTS; the admin sees it


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))  # invitation, reminder, family_link
    message: Mapped[bytes | None] = mapped_column(LargeBinary)  # RFC 5322 bytes, until sent
    status: Mapped[OutboxStatus] = mapped_column(String(8), default=OutboxStatus.PENDING,
                                                 index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # None: at once (whatever the clocks of the processes say); set when a try failed
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))  # a class and a code, no address
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
