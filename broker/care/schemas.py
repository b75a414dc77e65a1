"""The path of a household's help (contract: 'The path from intake to closure')."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from broker.care.models import (
    ClosureReason,
    EscalationReason,
    EscalationTo,
    FamilyGroupPlanStatus,
    FeedbackOutcome,
    OtherPlanKind,
)
from broker.consent.schemas import Id, Term
from broker.plans.schemas import ChildView, Text
from broker.schemas import StrictModel

Members = Annotated[list[Id], Field(max_length=12)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Place = Literal["thuis", "school", "kantoor", "elders"]


class HelpRequestCreate(StrictModel):
    question: Text
    formulated_with: Members = Field(description="the parents and children who took part")
    life_domains: list[Term] = Field(max_length=30, description="the leefgebieden looked at")
    safety_questions: dict[Term, bool] = Field(
        description="an answer to every question of policies/safety.yaml")
    zrm_by_member: dict[Id, dict[Term, int]] = Field(default_factory=dict, max_length=12)
    on: date | None = Field(default=None, description="default: today")


class SafetyAssessmentCreate(StrictModel):
    subject_ids: Annotated[list[Id], Field(min_length=1, max_length=12)] | None = Field(
        default=None, description="the children it is about (default: every child)")
    instrument: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    outcome: Term
    safety_scale: int | None = Field(default=None, ge=0, le=10)
    rationale: Text
    on: date | None = None


class ChildContactCreate(StrictModel):
    child_id: Id
    on: date
    seen: bool
    spoken: bool
    place: Place = "thuis"
    by_professional_id: Id | None = Field(default=None, description="default: the caller")
    view: ChildView | None = Field(default=None, description="the child's own words")


class FamilyGroupPlanCreate(StrictModel):
    status: FamilyGroupPlanStatus
    on: date
    decided_by: Members = Field(default_factory=list, description="who of the family decided")
    note: Text | None = Field(default=None, description="why it was declined")
    reference: Short | None = Field(default=None, description="the received plan's document")


class GoalScore(StrictModel):
    priority: int = Field(ge=1, le=20)
    start: int = Field(ge=0, le=10)
    now: int = Field(ge=0, le=10)


class EvaluationCreate(StrictModel):
    on: date
    participants: Members = Field(description="the members who evaluated with the team")
    goals: list[GoalScore] = Field(min_length=1, max_length=20)
    safety_scale: int = Field(ge=0, le=10)
    safety_outcome: Term
    needs_changed: bool = False
    next_evaluation: date


class EscalationCreate(StrictModel):
    to: EscalationTo
    why: EscalationReason | None = Field(
        default=None, description="why voluntary help does not suffice")
    on: date
    reason: Text


class EscalationOutcome(StrictModel):
    outcome: Text
    on: date


class ClosureCreate(StrictModel):
    reason: ClosureReason
    on: date | None = None
    aftercare_organisation_id: Id | None = None
    note: Text | None = None


class OtherPlanCreate(StrictModel):
    organisation_id: Id
    kind: OtherPlanKind
    reference: Short
    contact: Short | None = None
    linked: bool = False
    since: date


class OtherPlanUpdate(StrictModel):
    linked: bool | None = None
    ended_on: date | None = None


class FeedbackCreate(StrictModel):
    observation_id: Id
    outcome: FeedbackOutcome
    on: date | None = None


class Created(BaseModel):
    id: str


class ChildSpoken(BaseModel):
    child_id: str
    last_spoken_on: date | None


class HelpRequestRead(BaseModel):
    id: str
    started_on: date
    formulated_with: list[str]
    life_domains: list[str]
    safety_answers: dict[str, bool]
    full_assessment: bool = Field(description="an answer demands a full assessment")
    member_zrm: dict[str, dict[str, int]]
    question: str | None = Field(description="None: withheld by the door, or destroyed")


class SafetyAssessmentRead(BaseModel):
    id: str
    assessed_on: date
    subject_ids: list[str]
    instrument: str
    outcome: str
    scale: int | None
    rationale: str | None


class ChildContactRead(BaseModel):
    id: str
    child_id: str
    contact_on: date
    seen: bool
    spoken: bool
    place: str
    by_professional_id: str
    view: dict[str, str | None] | None = None


class FamilyGroupPlanRead(BaseModel):
    id: str
    status: FamilyGroupPlanStatus
    decided_on: date
    decided_by: list[str]
    note: dict[str, str | None] | None = Field(default=None,
                                               description="note and reference")


class EvaluationRead(BaseModel):
    id: str
    held_on: date
    plan_id: str
    participants: list[str]
    goals: list[GoalScore]
    start_scale: int | None
    start_outcome: str | None
    safety_scale: int
    safety_outcome: str
    needs_changed: bool
    next_evaluation: date


class EscalationRead(BaseModel):
    id: str
    to: EscalationTo
    why: EscalationReason | None
    escalated_on: date
    reason: str | None
    outcome: str | None = None
    outcome_on: date | None


class ClosureRead(BaseModel):
    id: str
    reason: ClosureReason
    closed_on: date
    aftercare_organisation_id: str | None
    note: str | None = None


class OtherPlanRead(BaseModel):
    id: str
    organisation_id: str
    kind: OtherPlanKind
    linked: bool
    since: date
    ended_on: date | None
    details: dict[str, str | None] | None = Field(default=None,
                                                  description="reference and contact")


class SignalRead(BaseModel):
    observation_id: str
    observed_on: date
    concern: str
    feedback_due: date
    feedback: FeedbackOutcome | None
    feedback_on: date | None


class CarePathRead(BaseModel):
    """The path of the household's help as its team may see it: the facts, and each text
    the door permits (None where it withheld it)."""

    household_id: str
    started_on: date | None
    closed: bool
    children: list[ChildSpoken]
    help_requests: list[HelpRequestRead]
    safety_assessments: list[SafetyAssessmentRead]
    child_contacts: list[ChildContactRead]
    family_group_plan: list[FamilyGroupPlanRead]
    evaluations: list[EvaluationRead]
    escalations: list[EscalationRead]
    closures: list[ClosureRead]
    other_plans: list[OtherPlanRead]
    signals: list[SignalRead]
