"""Requests for information the caller's organisation still has to answer."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.identity.principal import Principal
from broker.information_requests.models import InformationRequest, RequestStatus


@dataclass(frozen=True)
class ToAnswer:
    request_id: str
    household_id: str
    asked_at: datetime


def to_answer(session: Session, actor: Principal) -> list[ToAnswer]:
    """Open requests to the caller's organisation, oldest first (no names, no reasons)."""
    return [ToAnswer(r.id, r.household_id, r.created_at) for r in session.scalars(
        select(InformationRequest).where(
            InformationRequest.holder_organisation_id == actor.organisation_id,
            InformationRequest.status == RequestStatus.OPEN)
        .order_by(InformationRequest.created_at))]
