"""Requests for destruction still to decide (for the privacy officer's start page): their
ids and dates only, so the start page records no read of who asked."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.family.models import DestructionRequest, RequestStatus


@dataclass(frozen=True)
class Open:
    request_id: str
    due_on: date


def open_destruction_requests(session: Session) -> list[Open]:
    """Open requests, the earliest due first."""
    return [Open(r.id, r.due_on) for r in session.scalars(
        select(DestructionRequest).where(DestructionRequest.status == RequestStatus.OPEN)
        .order_by(DestructionRequest.due_on))]
