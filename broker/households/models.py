"""A household (the unit of a case), its members, custody links and regisseur history."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
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


class CourtDecision(Base):
    """A court's decision about a member: custody (gezag, voogdij), curatele or mentorschap.
    Its reference is sealed: it identifies the family at the court."""

    __tablename__ = "court_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    reference: Mapped[bytes] = mapped_column(LargeBinary)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Custody(Base):
    """`custodian_id` (a member) or `custodian_organisation_id` (a GI as guardian, voogdij)
    holds legal custody (gezag) of `child_id` from `started_on` (None: since the household
    was recorded) up to, not including, `ended_on`. A court decision changes it: the rows it
    ends keep their history."""

    __tablename__ = "custody"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    custodian_id: Mapped[str | None] = mapped_column(ForeignKey("household_members.id"))
    custodian_organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id"))
    child_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    decision_id: Mapped[str | None] = mapped_column(ForeignKey("court_decisions.id"))
    ended_by_decision_id: Mapped[str | None] = mapped_column(ForeignKey("court_decisions.id"))

    def in_force(self, day: date) -> bool:
        return (self.started_on is None or self.started_on <= day) and (
            self.ended_on is None or day < self.ended_on)


class Incapacity(Base):
    """A professional's judgement that a person of 12 or older cannot weigh their interests
    in these matters (wilsonbekwaam ter zake, WGBO 7:465): until `valid_until` the custodians
    decide for a minor in them, a curator or mentor for an adult."""

    __tablename__ = "incapacities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    assessed_by: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    categories: Mapped[list[str]] = mapped_column(JSON)  # the matters (data categories)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Representation(Base):
    """An adult's representative by court decision: a curator (curatele) or mentor
    (mentorschap), a member of the household, who grants for them in the matters the policy
    lists for the kind, where the adult is judged unable to weigh their interests."""

    __tablename__ = "representations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    representative_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"))
    kind: Mapped[str] = mapped_column(String(10))
    decision_id: Mapped[str] = mapped_column(ForeignKey("court_decisions.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


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


class HouseholdChange(Base):
    """One row per change to what the door knows about a household (its members, custody,
    consents, overrides, mandates, meetings: every table `load_household` reads), written by
    database triggers in the changing transaction, whatever wrote it. The number of a
    household's rows is its revision: a process keeps the facts it loaded under it, and a
    change in any process makes the very next load in every process miss."""

    __tablename__ = "household_changes"
    __table_args__ = (Index("ix_household_changes_household_id_id", "household_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(String(36))  # no key: written by triggers
