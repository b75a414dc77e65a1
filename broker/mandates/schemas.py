"""Mandate payloads (contract 4.3)."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from broker.consent.schemas import Id
from broker.policy.schema import MandateKind
from broker.schemas import StrictModel

Reference = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                             strip_whitespace=True)]


class MandateCreate(StrictModel):
    subject_id: Id
    kind: MandateKind
    organisation_id: Id
    reference: Reference | None = None  # court decision or request; required but for reports
    valid_from: date = Field(ge=date(2000, 1, 1), le=date(2999, 12, 31))
    valid_until: date | None = None

    @model_validator(mode="after")
    def _period(self) -> "MandateCreate":
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until lies after valid_from")
        return self


class MandateEnd(StrictModel):
    on: date


class MandateRead(BaseModel):
    id: str
    subject_id: str
    household_id: str
    kind: str
    organisation_id: str
    reference: str | None
    valid_from: date
    valid_until: date | None
    ended_on: date | None
    status: str  # "planned", "active", "ended"
    case_id: str | None
    source: str  # the article that makes it a legal ground
    registered_by: str
    created_at: datetime
