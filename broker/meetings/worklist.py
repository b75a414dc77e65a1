"""Meetings that wait for the caller: polls to close (the organiser) and polls to answer
(an invited professional or organisation)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from broker.households.service import directed_by
from broker.identity.principal import Principal
from broker.meetings.models import Availability, Invitee, Meeting, MeetingSlot, MeetingStatus


@dataclass(frozen=True)
class Waiting:
    meeting_id: str
    reference: str  # 'NB-7F3K2Q', as in the e-mails
    household_id: str
    first_slot: datetime | None


def _waiting(session: Session, *criteria: object) -> list[Waiting]:
    first = (select(MeetingSlot.meeting_id, func.min(MeetingSlot.start).label("start"))
             .group_by(MeetingSlot.meeting_id).subquery())
    return [Waiting(m.id, m.reference, m.household_id, start) for m, start in session.execute(
        select(Meeting, first.c.start).outerjoin(first, first.c.meeting_id == Meeting.id)
        .where(Meeting.status == MeetingStatus.POLLING, *criteria)  # type: ignore[arg-type]
        .order_by(first.c.start))]


def to_plan(session: Session, actor: Principal) -> list[Waiting]:
    """Polls of the caller's households (or organised by them) where a moment is still to
    be chosen."""
    directed = directed_by(professional_id=actor.professional_id or "")
    return _waiting(session, or_(Meeting.household_id.in_(directed),
                                 Meeting.organiser_id == (actor.professional_id or "")))


def to_answer(session: Session, actor: Principal) -> list[Waiting]:
    """Polls the caller (in person or as organisation) is invited to and has not answered."""
    answered = exists().where(Availability.invitee_id == Invitee.id)
    open_invitations = select(Invitee.meeting_id).where(
        or_(Invitee.professional_id == (actor.professional_id or ""),
            Invitee.organisation_id == actor.organisation_id), ~answered)
    return _waiting(session, Meeting.id.in_(open_invitations),
                    Meeting.organiser_id != (actor.professional_id or ""))


def planned(session: Session, household_ids: list[str]) -> set[str]:
    """Households with a meeting being planned or planned."""
    return set(session.scalars(select(Meeting.household_id).where(
        Meeting.household_id.in_(household_ids),
        Meeting.status.in_([MeetingStatus.POLLING, MeetingStatus.SCHEDULED]))))
