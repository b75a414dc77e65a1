"""Overrides that need someone: to approve or review (the aandachtsfunctionaris's queue,
`service.review_queue`), and those in force now (the privacy officer)."""

from sqlalchemy.orm import Session

from broker.disclosure.overrides import OverrideStatus
from broker.meldcode.service import OverrideView, _views


def in_force(session: Session) -> list[OverrideView]:
    """Every override in force now, soonest ending first."""
    return sorted((v for v in _views(session) if v.status is OverrideStatus.ACTIVE),
                  key=lambda v: v.override.valid_until)
