"""Personal links and sessions of household members, and requests for destruction."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class FamilyLink(Base):
    """A personal link to the family page, sent to one member: single use, expiring."""

    __tablename__ = "family_links"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FamilySession(Base):
    """What a used link (or a login) opens: a browser session of one household member."""

    __tablename__ = "family_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RequestStatus(StrEnum):
    OPEN = "open"
    DESTROYED = "destroyed"
    REFUSED = "refused"


class DestructionRequest(Base):
    """Jeugdwet art. 7.3.9: a request to destroy one person's file, decided within three
    months; asked by that person or (a child) by a custodian."""

    __tablename__ = "destruction_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"))  # who asked
    # Whose file (None: from before version 0014, the asker's own).
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("household_members.id"))
    ground: Mapped[str | None] = mapped_column(String(40))  # a refusal's statutory ground
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # a refusal's reason, sealed


class WithholdingKind(StrEnum):
    CARE = "care"  # giving it would conflict with good care of the child (WGBO 7:457)
    YOUTH = "youth"  # a youth of 12 to 15 asked to keep it from their parents


class Withholding(Base):
    """One item of the file kept from one member's family page: a plan goal
    ('<plan id>:<priority>'), a plan action or an observation. The regisseur's (with a reason
    and a review day) holds until that day; a youth's own until it is ended."""

    __tablename__ = "withholdings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed; the regisseur's own
    review_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_by: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
