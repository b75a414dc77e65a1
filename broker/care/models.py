"""The path of a household's help from intake to closure, as the inspection framework reads
a family's file (Toezichtkader Stelseltoezicht Jeugd: 'Toeleiding en toegang', 'In zorg').
Append-only rows; free text is sealed (a child's own words under the child's key), the facts
the quality indicators judge (dates, outcomes, scales, who took part) stay plain."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class FamilyGroupPlanStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    RECEIVED = "received"


class EscalationTo(StrEnum):
    VEILIG_THUIS = "veilig_thuis"
    JEUGDBESCHERMINGSTAFEL = "jeugdbeschermingstafel"
    RAAD = "raad"
    DOORZETTINGSMACHT = "doorzettingsmacht"  # the municipality's power to push help through


class EscalationReason(StrEnum):
    NOT_ACCEPTED = "not_accepted"  # voluntary help does not come about
    INSUFFICIENT = "insufficient"
    NOT_EFFECTIVE = "not_effective"
    FAMILY_WITHDREW = "family_withdrew"  # the family stops cooperating while it is unsafe
    UNSAFE = "unsafe"


class ClosureReason(StrEnum):
    ZELFSTANDIG = "zelfstandig"  # the family can go on independently
    NAZORG = "nazorg"  # aftercare is arranged
    GEZIN_STOPT = "gezin_stopt"  # the family stops cooperating


class OtherPlanKind(StrEnum):
    PLAN = "plan"  # another organisation's own plan for (a member of) the family
    COORDINATOR = "coordinator"  # its care coordinator (zorgcoördinator, casemanager)
    REGISSEUR = "regisseur"  # it says it directs the family's help: a second regisseur


class FeedbackOutcome(StrEnum):
    """What was done with a partner's signal, said without its details."""

    IN_PLAN = "in_plan"
    MEETING = "meeting"
    MELDCODE = "meldcode"
    REFERRED = "referred"
    NO_ACTION = "no_action"


class HelpRequest(Base):
    """The hulpvraag, formulated with the family: who took part, the leefgebieden looked
    at, the uniform safety answers (policies/safety.yaml) and ZRM per adult."""

    __tablename__ = "help_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    question: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    formulated_with: Mapped[list[str]] = mapped_column(JSON)  # member ids
    life_domains: Mapped[list[str]] = mapped_column(JSON)
    safety_answers: Mapped[dict[str, bool]] = mapped_column(JSON)
    full_assessment: Mapped[bool] = mapped_column(Boolean)  # an answer demands one
    member_zrm: Mapped[dict[str, Any]] = mapped_column(JSON)  # member -> leefgebied -> 1..5
    started_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SafetyAssessment(Base):
    """A safety assessment at any time, with the instrument used."""

    __tablename__ = "safety_assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_ids: Mapped[list[str]] = mapped_column(JSON)  # the children it is about
    instrument: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(40))
    scale: Mapped[int | None] = mapped_column(Integer)  # 0..10
    rationale: Mapped[bytes] = mapped_column(LargeBinary)  # sealed (the child's key if one)
    assessed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ChildContact(Base):
    """A child seen and spoken (kindgesprek): when, by whom, where, and the child's own
    view (worries, good things, wishes), sealed under the child's key."""

    __tablename__ = "child_contacts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    contact_on: Mapped[date] = mapped_column(Date)
    seen: Mapped[bool] = mapped_column(Boolean)
    spoken: Mapped[bool] = mapped_column(Boolean)
    place: Mapped[str] = mapped_column(String(20))
    by_professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))
    view: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed JSON
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class FamilyGroupPlanEvent(Base):
    """The family group plan: offered, accepted, declined (by whom, why) or received (the
    document's reference); the newest row is its state."""

    __tablename__ = "family_group_plan_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[list[str]] = mapped_column(JSON)  # member ids
    note: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed: why, the reference
    recorded_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Evaluation(Base):
    """The plan evaluated with the family: each goal's scale and the safety at the start
    against now, whether the needs changed, and the next evaluation."""

    __tablename__ = "evaluations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[list[str]] = mapped_column(JSON)  # member ids
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # priority, start, now
    start_scale: Mapped[int | None] = mapped_column(Integer)
    start_outcome: Mapped[str | None] = mapped_column(String(40))
    safety_scale: Mapped[int] = mapped_column(Integer)
    safety_outcome: Mapped[str] = mapped_column(String(40))
    needs_changed: Mapped[bool] = mapped_column(Boolean)
    next_evaluation: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Escalation(Base):
    """Opschaling: to whom, when, why, and (later) the outcome."""

    __tablename__ = "escalations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    to: Mapped[str] = mapped_column(String(30))
    why: Mapped[str | None] = mapped_column(String(20))  # EscalationReason
    escalated_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    outcome: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    outcome_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Closure(Base):
    """The end of the household's help; a later help request starts it again."""

    __tablename__ = "closures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    reason: Mapped[str] = mapped_column(String(12))
    closed_on: Mapped[date] = mapped_column(Date)
    aftercare_organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id"))
    note: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed: the aftercare
    recorded_by: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class OtherPlan(Base):
    """Another organisation's own plan or care coordinator for the family, registered
    against the household's one plan (1 gezin, 1 plan, 1 regisseur)."""

    __tablename__ = "other_plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(12))
    details: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: reference, contact
    linked: Mapped[bool] = mapped_column(Boolean)  # attuned to and part of the one plan
    since: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SignalFeedback(Base):
    """Terugkoppeling: the signaller hears what was done with its signal (a code, no
    details)."""

    __tablename__ = "signal_feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    observation_id: Mapped[str] = mapped_column(ForeignKey("observations.id"), unique=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
