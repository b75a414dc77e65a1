"""Meeting outcome and plan payloads (contract 4.1)."""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from broker.consent.schemas import Id, Term
from broker.plans.models import ActionStatus
from broker.schemas import StrictModel

Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
Items = list[Text]


class Analysis(StrictModel):
    child_needs: Text
    parenting_capacity: Text
    family_environment: Text


class SignsOfSafety(StrictModel):
    worries: Items = Field(max_length=30)
    strengths: Items = Field(max_length=30)
    next_steps: Items = Field(max_length=30)
    safety_scale: int | None = Field(default=None, ge=0, le=10)


Subjects = Annotated[list[Id], Field(min_length=1, max_length=12)]


class SafetyAssessment(StrictModel):
    instrument: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    outcome: Term
    rationale: Text
    subject_ids: Subjects | None = Field(
        default=None, description="the children it is about (default: every child)")


class ChildView(StrictModel):
    """What the child says themselves (three houses: worries, good things, wishes)."""

    worries: Text | None = None
    good_things: Text | None = None
    wishes: Text | None = None


class ChildPicture(StrictModel):
    """One child's own safety scale and view, shown on that child's terms."""

    child_id: Id
    safety_scale: int | None = Field(default=None, ge=0, le=10)
    view: ChildView | None = None


class Goal(StrictModel):
    priority: int = Field(ge=1, le=20)
    domain: Term
    description: Text
    subject_ids: Subjects | None = Field(
        default=None, description="the members the goal is about; each decides on their own "
        "terms who sees it (default: the household's children)")


class ActionIn(StrictModel):
    goal: int = Field(ge=1, le=20)
    description: Text
    owner_organisation_id: Id
    due: date
    subject_ids: Subjects | None = Field(
        default=None, description="the members the action is about (default: its goal's)")


class PlanIn(StrictModel):
    perspective: Text
    goals: list[Goal] = Field(min_length=1, max_length=20)
    actions: list[ActionIn] = Field(default_factory=list, max_length=60)


class OutcomeCreate(StrictModel):
    analysis: Analysis
    signs_of_safety: SignsOfSafety
    zrm: dict[Term, int] = Field(default_factory=dict)
    safety_assessment: SafetyAssessment | None = None
    # One assessment per child (or group of children), each on its subjects' terms.
    safety_assessments: list[SafetyAssessment] = Field(default_factory=list, max_length=12)
    children: list[ChildPicture] = Field(default_factory=list, max_length=12)
    # ZRM per adult: member id -> leefgebied -> 1..5.
    zrm_by_member: dict[Id, dict[Term, int]] = Field(default_factory=dict, max_length=12)
    plan: PlanIn
    regisseur_id: Id
    next_evaluation: date
    family_group_plan_id: Id | None = Field(
        default=None, description="the family group plan received that this plan is based "
        "on (POST /households/{id}/family-group-plan with status 'received')")


class ActionUpdate(StrictModel):
    status: ActionStatus


class ActionRead(BaseModel):
    id: str
    goal: int
    domain: str
    description: str | None
    owner_organisation_id: str
    due: date
    status: str
    subject_ids: list[str]


class GoalRead(BaseModel):
    priority: int
    domain: str
    description: str | None
    subject_ids: list[str]


class PlanRead(BaseModel):
    """The plan as this reader may see it: goals and actions in leefgebieden the door allows;
    the rest is counted, not shown."""

    id: str
    household_id: str
    version: int
    meeting_id: str
    perspective: str | None
    goals: list[GoalRead]
    actions: list[ActionRead]
    withheld_goals: int
    safety_assessments: list[dict[str, Any]] = Field(
        default_factory=list, description="each shown on its children's terms")
    children: list[dict[str, Any]] = Field(
        default_factory=list, description="each child's own safety scale and view, shown on "
        "that child's terms")
    zrm_by_member: dict[str, dict[str, int]] = Field(default_factory=dict)
    regisseur_id: str
    next_evaluation: date
