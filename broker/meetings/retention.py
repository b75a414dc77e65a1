"""Retention of network meetings (policies/retention.yaml, kind `meetings`)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.meetings.models import Availability, Invitee, Meeting, MeetingSlot
from broker.plans.models import Plan


def purge_meetings(session: Session, households: set[str]) -> tuple[list[Record], int, str]:
    """The meetings of these households with their slots, invitees and answers; a meeting
    whose plan is kept longer stays until the plan goes."""
    rows = session.execute(select(Meeting.id, Meeting.household_id).where(
        Meeting.household_id.in_(households),
        Meeting.id.not_in(select(Plan.meeting_id)))).all()
    ids = [row.id for row in rows]
    if ids:
        invitees = select(Invitee.id).where(Invitee.meeting_id.in_(ids))
        session.execute(delete(Availability).where(Availability.invitee_id.in_(invitees)))
        session.execute(delete(Invitee).where(Invitee.meeting_id.in_(ids)))
        session.execute(delete(MeetingSlot).where(MeetingSlot.meeting_id.in_(ids)))
        session.execute(delete(Meeting).where(Meeting.id.in_(ids)))
    return purges("meetings", {row.household_id for row in rows}, household=True), len(ids), \
        "meetings with their slots, invitees and answers removed"
