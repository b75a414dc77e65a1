"""Consent and decision payloads (contract 4.1)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from broker.consent.service import ConsentView


from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from broker.schemas import StrictModel

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Term = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Recipient(StrictModel):
    party: Term | None = None
    organisation_id: Id | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Recipient":
        if (self.party is None) == (self.organisation_id is None):
            raise ValueError("give either party or organisation_id")
        return self


class Evidence(StrictModel):
    method: Term
    reference: Annotated[str, StringConstraints(max_length=200)] | None = None


class ConsentCreate(StrictModel):
    subject_id: Id
    categories: list[Term] = Field(min_length=1, max_length=30)
    recipients: list[Recipient] = Field(min_length=1, max_length=30)
    purposes: list[Term] = Field(min_length=1, max_length=10)
    grantor_ids: list[Id] = Field(min_length=1, max_length=5)
    evidence: Evidence
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class ConsentWithdraw(StrictModel):
    grantor_id: Id
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None


class HistoryEntry(BaseModel):
    status: str
    at: datetime
    by: str | None = None


class ConsentRead(BaseModel):
    id: str
    household_id: str
    subject_id: str
    categories: list[str]
    recipients: list[dict[str, str]]
    purposes: list[str]
    grantor_ids: list[str]
    evidence: dict[str, str | None]
    valid_from: datetime
    valid_until: datetime
    status: str
    meeting_id: str | None
    history: list[HistoryEntry]


class ConsentList(BaseModel):
    items: list[ConsentRead]


class DecisionCreate(StrictModel):
    subject_id: Id
    category: Term
    recipient: Recipient
    purpose: Term
    # Whose information: the organisation that holds it (an override releases only its
    # holder's own). Without one: information no single organisation holds.
    holder_organisation_id: Id | None = None


class MissingRead(BaseModel):
    member_id: str | None
    role: str


class DecisionRead(BaseModel):
    effect: str
    basis: str | None
    consent_ids: list[str]
    override_ids: list[str]
    mandate_ids: list[str] = []  # legal_duty: the mandates in force it rests on
    missing: list[MissingRead]
    reasons: list[str]
    policy_version: str

def consent_read(view: "ConsentView") -> ConsentRead:
    consent = view.consent
    history = [HistoryEntry(status="active", at=consent.created_at, by=None)]
    if view.withdrawn_at is not None:
        history.append(HistoryEntry(status="withdrawn", at=view.withdrawn_at,
                                    by=view.withdrawn_by))
    elif view.status == "expired":
        history.append(HistoryEntry(status="expired", at=consent.valid_until))
    return ConsentRead(
        id=consent.id, household_id=consent.household_id, subject_id=consent.subject_id,
        categories=consent.categories, recipients=consent.recipients,
        purposes=consent.purposes, grantor_ids=view.grantors,
        evidence={"method": consent.evidence_method, "reference": consent.evidence_reference,
                  "recorded_by": consent.recorded_by},
        valid_from=consent.valid_from, valid_until=consent.valid_until,
        status=view.status.value, meeting_id=consent.meeting_id, history=history)
