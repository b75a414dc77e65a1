"""Meldcode payloads (contract 4.1)."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from broker.consent.schemas import Id, Term
from broker.meldcode.models import StepDecision
from broker.schemas import StrictModel

Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


class CaseCreate(StrictModel):
    child_id: Id


class Answers(StrictModel):
    """The afwegingskader's five questions; None where the question did not arise."""

    vermoeden: bool
    acuut_of_structureel_onveilig: bool | None = None
    hulp_mogelijk: bool | None = None
    hulp_geaccepteerd: bool | None = None
    hulp_leidt_tot_veiligheid: bool | None = None


class NotInformed(StrictModel):
    """Telling the family would endanger the child: why, and the day this is reviewed (at
    most the policy's `not_informed_max_days` ahead; that far by default)."""

    reason: Text
    review_on: date | None = None


class StepCreate(StrictModel):
    step: int = Field(ge=1, le=5)
    content: Text
    answers: Answers | None = None
    decision: StepDecision | None = None
    observation_ids: list[Id] = Field(default_factory=list, max_length=200)
    # Step 5, reporting: the Veilig Thuis organisation (optional when the broker knows one).
    veilig_thuis_id: Id | None = None
    # Step 1: acute danger; report at once (step 5 next), steps 2-4 recorded afterwards.
    acuut: bool = False
    # Step 3: talking with the family is skipped only when it would endanger someone.
    talked_with_family: bool = True
    skip_reason: Text | None = None
    # Step 5 'hulp_organiseren' (and optionally 'melden_en_hulp'): when the help is checked.
    follow_up_on: date | None = None
    # Step 5 reporting: the report is not shown to the family until reviewed.
    not_informed: NotInformed | None = None

    @model_validator(mode="after")
    def _fits_the_step(self) -> "StepCreate":
        if (self.step == 4) != (self.answers is not None):
            raise ValueError("step 4, and only step 4, carries the afwegingskader answers")
        if (self.step == 5) != (self.decision is not None):
            raise ValueError("step 5, and only step 5, carries a decision")
        if self.observation_ids and self.step != 1:
            raise ValueError("observations are linked in step 1")
        if self.veilig_thuis_id and self.step != 5:
            raise ValueError("step 5 names the Veilig Thuis organisation reported to")
        if self.acuut and self.step != 1:
            raise ValueError("acute danger is stated at step 1")
        if (not self.talked_with_family or self.skip_reason) and self.step != 3:
            raise ValueError("step 3 is the talk with the family")
        if (self.follow_up_on or self.not_informed) and self.step != 5:
            raise ValueError("a follow-up date and a report's restriction belong to step 5")
        return self


class InformParents(StrictModel):
    planned_on: date | None = None
    not_informed_reason: Text | None = None
    review_on: date | None = None  # with a reason: when it is reviewed (default: policy max)

    @model_validator(mode="after")
    def _one(self) -> "InformParents":
        if (self.planned_on is None) == (self.not_informed_reason is None):
            raise ValueError("give either planned_on or not_informed_reason")
        if self.review_on is not None and self.not_informed_reason is None:
            raise ValueError("review_on goes with not_informed_reason")
        return self


class RestrictionRenew(StrictModel):
    """An aandachtsfunctionaris keeps the family uninformed for longer, with a reason."""

    reason: Text
    review_on: date


class RestrictionRead(BaseModel):
    review_on: date


class HandbackTo(StrictModel):
    """Contract 4.3: Veilig Thuis (or an organisation after it) hands the family back."""

    from_organisation_id: Id
    to_organisation_id: Id
    on: date
    case_id: Id | None = None


class HandbackCreate(StrictModel):
    """Veilig Thuis handed the case back to the local network (afschaling) on this day."""

    on: date


class OverrideRecipient(StrictModel):
    organisation_id: Id
    # Needed for a recipient the policy does not allow by default: the article that allows it.
    legal_ground: Text | None = None


class OverrideCreate(StrictModel):
    subject_ids: list[Id] = Field(min_length=1, max_length=10)
    # Each member other than the case's child: why their data is needed for its safety.
    subject_reasons: dict[Id, Text] = Field(default_factory=dict, max_length=10)
    categories: list[Term] = Field(min_length=1, max_length=10)
    recipients: list[OverrideRecipient] = Field(min_length=1, max_length=10)
    justification: Text
    valid_until: datetime
    urgent: bool = False
    inform_parents: InformParents


class OverrideRevoke(StrictModel):
    reason: Text


class StepRead(BaseModel):
    step: int
    content: str | None
    answers: dict[str, bool | None] | None
    decision: str | None
    observation_ids: list[str]
    recorded_by: str
    recorded_at: datetime
    acuut: bool = False
    talked_with_family: bool | None = None  # step 3
    skip_reason: str | None = None
    follow_up_on: date | None = None


class OverrideRead(BaseModel):
    id: str
    case_id: str
    status: str
    subject_ids: list[str]
    categories: list[str]
    recipients: list[OverrideRecipient]
    urgent: bool
    valid_until: datetime
    review_due: datetime | None
    inform_parents_on: date | None
    not_informed_until: date | None = None
    requested_by: str
    approved_by: str | None
    disclosures: int | None = None


class CaseRead(BaseModel):
    id: str
    child_id: str
    household_id: str
    step: int = Field(description="the next step to record (5 once all are recorded)")
    completed: bool
    steps: list[StepRead]
    overrides: list[OverrideRead]
    handed_back_on: date | None = Field(
        default=None, description="the day Veilig Thuis handed the case back (afschaling)")
    steps_due_by: date | None = Field(
        default=None, description="after an acute report: steps 2-4 recorded by this day")


class HandbackRead(BaseModel):
    id: str
    household_id: str
    case_id: str | None
    from_organisation_id: str | None
    to_organisation_id: str | None
    handed_back_on: date
    recorded_at: datetime


class ReviewQueue(BaseModel):
    pending: list[OverrideRead]
    awaiting_review: list[OverrideRead]
    overdue: list[OverrideRead]
    expiring_soon: list[OverrideRead]


class ReportChild(BaseModel):
    given_name: str
    family_name: str
    birth_date: str


class ReportSignal(BaseModel):
    observed_on: date
    category: str
    concern: str
    body: str | None


class ReportStep(BaseModel):
    step: int
    content: str | None
    recorded_at: datetime


class ReportContact(BaseModel):
    organisation_id: str
    organisation_name: str


class AlsoKnown(BaseModel):
    """Another organisation's signal: that it exists, never what it says."""

    category: str
    party: str


class ReportRead(BaseModel):
    """A report to Veilig Thuis: only what the meldcode allows to be shared — the reporting
    organisation's own information."""

    case_id: str
    basis: str = "legal_duty"
    addressed_to: ReportContact
    child: ReportChild | None
    signals: list[ReportSignal]
    withheld_signals: int
    also_known: list[AlsoKnown] = []
    steps: list[ReportStep]
    decision: str
    contact: ReportContact
