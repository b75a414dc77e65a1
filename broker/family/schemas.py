"""Family transparency payloads (contract v1: /me/disclosures) and destruction requests."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from broker.schemas import StrictModel


class LinkCreate(StrictModel):
    send: bool = Field(default=True, description="e-mail the link to the member's address")


class LinkRead(BaseModel):
    url: str = Field(description="shown once: the broker keeps only its hash")
    expires_at: datetime
    sent_to: str | None


class Person(BaseModel):
    id: str
    given_name: str
    is_me: bool


class DisclosureRead(BaseModel):
    at: str
    about: str = Field(description="the member id of the person it was about")
    action: str = Field(description="disclosure (shared), read (looked at) or export")
    organisation_id: str | None
    organisation_name: str
    categories: list[str]
    purpose: str | None
    basis: str | None = Field(description="consent, override, own_submission, legal_duty, ...")
    lawful_basis: str | None


class MyDisclosures(BaseModel):
    """What was shared about me and the children in my custody under 16, with whom, when
    and why. Never about another adult in the household."""

    people: list[Person]
    disclosures: list[DisclosureRead]


class DestructionRead(BaseModel):
    id: str
    household_id: str
    member_id: str
    requested_at: datetime
    due_on: date
    status: str
    overdue: bool


class DestructionDecision(StrictModel):
    destroy: bool
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000,
                                             strip_whitespace=True)] | None = None
