"""Network meetings (netwerkbijeenkomsten): candidate slots, invitees, the availability poll,
the chosen slot and the invitation sequence. The title is free text about a family: sealed."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class MeetingStatus(StrEnum):
    POLLING = "polling"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


class Answer(StrEnum):
    YES = "yes"
    IF_NEED_BE = "if_need_be"
    NO = "no"


class Rsvp(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)  # "NB-7F3K2Q": in e-mails
    title: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    location: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    organiser_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.POLLING)
    slot_id: Mapped[str | None] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    poll_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    day_before_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeetingSlot(Base):
    __tablename__ = "meeting_slots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)


class Invitee(Base):
    """A professional, an organisation (anyone of it answers) or a household member (answers
    through a personal link, or the regisseur answers on their behalf)."""

    __tablename__ = "meeting_invitees"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    professional_id: Mapped[str | None] = mapped_column(ForeignKey("professionals.id"))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    member_id: Mapped[str | None] = mapped_column(ForeignKey("household_members.id"))
    required: Mapped[bool] = mapped_column(Boolean)
    rsvp: Mapped[str | None] = mapped_column(String(10))
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # members only
    link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Availability(Base):
    __tablename__ = "meeting_availability"
    __table_args__ = (UniqueConstraint("invitee_id", "slot_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    invitee_id: Mapped[str] = mapped_column(ForeignKey("meeting_invitees.id"), index=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("meeting_slots.id"))
    answer: Mapped[str] = mapped_column(String(10))
    answered_by: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class CalendarFeed(Base):
    """A professional's personal calendar feed (`/calendar/{token}.ics`); revocable."""

    __tablename__ = "calendar_feeds"

    professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"),
                                                 primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
