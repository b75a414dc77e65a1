"""Data keys per household (what the family shares) and per person (what is one member's),
wrapped by a key-encryption key (KEK) from the key directory."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime


class HouseholdKey(Base):
    """`wrapped` is the data key sealed under KEK `kek_id`; NULL once destroyed
    (crypto-shredding: everything sealed under it is unreadable from then on)."""

    __tablename__ = "household_keys"

    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), primary_key=True)
    kek_id: Mapped[str | None] = mapped_column(String(40))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MemberKey(Base):
    """One person's data key: what is about them alone (their observations, goals and
    actions about them only) is sealed under it, so that destroying it (their request for
    destruction) leaves the rest of the family's file readable."""

    __tablename__ = "member_keys"

    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    kek_id: Mapped[str | None] = mapped_column(String(40))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
