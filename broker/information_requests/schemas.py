"""Information request payloads (contract 4.3)."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from broker.consent.schemas import Id, Term
from broker.meldcode.schemas import Text
from broker.schemas import StrictModel


class InformationRequestCreate(StrictModel):
    subject_id: Id
    categories: list[Term] = Field(min_length=1, max_length=10)
    holder_organisation_id: Id
    purpose: Term
    reason: Text


class Answer(StrEnum):
    CONSENT_REQUESTED = "consent_requested"
    OVERRIDE = "override"
    REFUSED = "refused"


class InformationAnswer(StrictModel):
    answer: Answer
    reason: Text | None = None  # required when refusing
    override_id: Id | None = None  # required when answering by an override


class InformationRequestRead(BaseModel):
    id: str
    status: str
    subject_id: str
    subject_name: str | None = Field(description="when the caller may see the person's "
                                     "basic data")
    categories: list[str]
    purpose: str
    holder_organisation_id: str
    requester_organisation_id: str
    reason: str | None
    answer_reason: str | None
    override_id: str | None
    created_at: datetime
    answered_at: datetime | None
