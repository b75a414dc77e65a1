"""One plan per household, versioned: each meeting outcome makes a new version; the content
(analysis, signs of safety, assessment, goals) is sealed, numbers stay plain for trends."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("household_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON of the outcome's text
    zrm: Mapped[dict[str, Any]] = mapped_column(JSON)  # leefgebied -> 1..5
    # The leefgebied of each goal, in the order of the sealed content's goals: the door
    # decides on each before anything is opened. None: a plan from before version 0012.
    goal_domains: Mapped[list[str] | None] = mapped_column(JSON)
    # Whom each goal is about (member ids), in the same order: each goal is decided on each
    # of its subjects. None: a plan from before version 0014 (about all the children).
    goal_subjects: Mapped[list[list[str]] | None] = mapped_column(JSON)
    # ZRM per adult: member id -> leefgebied -> 1..5 (None: before version 0014).
    member_zrm: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    safety_scale: Mapped[int | None] = mapped_column(Integer)  # 0..10
    safety_outcome: Mapped[str | None] = mapped_column(String(40))
    regisseur_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    next_evaluation: Mapped[date] = mapped_column(Date)
    # The family group plan (its 'received' row) this plan is based on, if any.
    family_group_plan_id: Mapped[str | None] = mapped_column(
        ForeignKey("family_group_plan_events.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))  # who wrote it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class PlanAction(Base):
    __tablename__ = "plan_actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    goal: Mapped[int] = mapped_column(Integer)  # the goal's priority number
    domain: Mapped[str] = mapped_column(String(64))  # the goal's leefgebied: the door's category
    # Whom the action is about; decided on each. None: from before version 0014 (the goal's).
    subject_ids: Mapped[list[str] | None] = mapped_column(JSON)
    description: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    owner_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"),
                                                       index=True)
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.OPEN)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
