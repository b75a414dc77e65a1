"""What the admin sees of the outbox: no address, no text."""

from datetime import datetime

from pydantic import BaseModel

from broker.mail.models import OutboxStatus


class OutboxEntryRead(BaseModel):
    id: str
    kind: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_error: str | None


class OutboxRead(BaseModel):
    pending: int
    sent: int
    failed: int
    oldest_pending: datetime | None
    waiting: list[OutboxEntryRead]  # pending and failed, oldest first
