"""Personal links and sessions of household members, and requests for destruction."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, LargeBinary, String
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
    """Jeugdwet art. 7.3.9: a request to destroy the file, decided within three months."""

    __tablename__ = "destruction_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # a refusal's reason, sealed
