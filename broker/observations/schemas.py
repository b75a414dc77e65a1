"""Observation payloads (contract 4.1)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from broker.observations.service import Shown, Withheld


from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from broker.consent.schemas import Id, MissingRead, Term
from broker.observations.models import AmendmentKind, Concern, Contribution
from broker.schemas import StrictModel

BODY_MAX = 4000
Body = Annotated[str, StringConstraints(min_length=1, max_length=BODY_MAX,
                                        strip_whitespace=True)]


class ObservationCreate(StrictModel):
    subject_id: Id
    category: Term
    concern: Concern
    observed_on: date
    body: Body
    meeting_id: Id | None = None
    contribution: Contribution | None = Field(
        default=None, description="input for the meeting: worry, going_well or next_step")

    @model_validator(mode="after")
    def _contribution_needs_a_meeting(self) -> "ObservationCreate":
        if self.contribution is not None and self.meeting_id is None:
            raise ValueError("a contribution belongs to a meeting")
        return self


class AmendmentCreate(StrictModel):
    kind: AmendmentKind
    body: Body | None = None


class SubmittedRead(BaseModel):
    """What was stored, and on what basis it is shared with the household's network."""

    id: str
    household_id: str | None  # None for a submitter not involved with the household
    subject_id: str
    category: str
    concern: Concern
    observed_on: date
    basis: str
    consent_ids: list[str]
    override_ids: list[str]
    meeting_id: str | None = None
    contribution: Contribution | None = None


class SubmitterRead(BaseModel):
    organisation_id: str
    organisation_name: str
    party: str


class AmendmentRead(BaseModel):
    id: str
    kind: AmendmentKind
    body: str | None
    created_at: str


class ObservationRead(BaseModel):
    id: str
    subject_id: str
    category: str
    concern: Concern
    observed_on: date
    body: str | None = Field(description="None when the household's data key was destroyed")
    destroyed: bool = False
    retracted: bool = False
    submitted_by: SubmitterRead
    basis: str
    amendments: list[AmendmentRead] = []
    meeting_id: str | None = None
    contribution: Contribution | None = None


class WithheldRead(BaseModel):
    """A stub: the item exists, the reader may not see it. Category and submitting party are
    named only for categories that are not special (AVG art. 9/10)."""

    id: str
    subject_id: str
    observed_on: date
    reason: str
    ask: str
    category: str | None = None
    submitted_by_party: str | None = None


class ObservationList(BaseModel):
    items: list[ObservationRead]
    withheld: list[WithheldRead]


class RecipientPreview(BaseModel):
    organisation_id: str
    organisation_name: str
    party: str
    effect: str
    basis: str | None
    reasons: list[str]


class PreviewRead(BaseModel):
    accepted: bool
    missing: list[MissingRead]
    reasons: list[str]
    meldcode: bool
    recipients: list[RecipientPreview]

def item_read(item: "Shown") -> ObservationRead:
    observation = item.observation
    return ObservationRead(
        id=observation.id, subject_id=observation.subject_id, category=observation.category,
        concern=Concern(observation.concern), observed_on=observation.observed_on,
        body=item.body, destroyed=item.body is None, retracted=item.retracted,
        submitted_by=SubmitterRead(organisation_id=item.submitter.id,
                                   organisation_name=item.submitter.name,
                                   party=item.submitter.party),
        basis=item.decision.basis.value if item.decision.basis else "",
        amendments=[AmendmentRead(id=a.id, kind=AmendmentKind(a.kind), body=text,
                                  created_at=a.created_at.isoformat())
                    for a, text in item.amendments],
        meeting_id=observation.meeting_id,
        contribution=Contribution(observation.contribution) if observation.contribution
        else None)


def stub_read(stub: "Withheld") -> WithheldRead:
    observation = stub.observation
    return WithheldRead(
        id=observation.id, subject_id=observation.subject_id,
        observed_on=observation.observed_on, reason=stub.reason, ask=stub.ask,
        category=None if stub.special else observation.category,
        submitted_by_party=None if stub.special else observation.submitted_by_party)
