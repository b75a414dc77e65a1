"""A household (the unit of a case), its members, custody links and regisseur history."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class MemberRole(StrEnum):
    PARENT = "parent"
    CHILD = "child"
    OTHER = "other"


class Household(Base):
    __tablename__ = "households"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    label: Mapped[str] = mapped_column(String(200))
    created_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Member(Base):
    __tablename__ = "household_members"
    __table_args__ = (UniqueConstraint("household_id", "ref"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    ref: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(16))
    bsn: Mapped[str | None] = mapped_column(String(9))
    email: Mapped[str | None] = mapped_column(String(320))


class Custody(Base):
    """`custodian_id` holds legal custody (gezag) of `child_id`."""

    __tablename__ = "custody"
    __table_args__ = (UniqueConstraint("custodian_id", "child_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    custodian_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"))
    child_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)


class RegisseurAssignment(Base):
    """Who directs the household's plan, from when; the newest row is the current one."""

    __tablename__ = "regisseur_assignments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    # The team the household belongs to while this regisseur directs it (None: the
    # regisseur belongs to no team and directs it alone).
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    assigned_by: Mapped[str] = mapped_column(String(64))
