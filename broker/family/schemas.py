"""Family transparency payloads (contract v1: /me/disclosures) and destruction requests."""

from datetime import date, datetime
from typing import Annotated, Literal

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


MemberId = Annotated[str, StringConstraints(min_length=1, max_length=36)]


class DestructionAsk(StrictModel):
    subject_id: MemberId | None = Field(
        default=None, description="whose file: mine (default), or a child's in my custody")


class DestructionRecord(StrictModel):
    member_id: MemberId = Field(description="the family member who asked")
    subject_id: MemberId | None = Field(default=None, description="whose file (default: "
                                        "the asker's own)")


class DestructionRead(BaseModel):
    id: str
    household_id: str
    member_id: str = Field(description="who asked")
    subject_id: str = Field(description="whose file")
    requested_at: datetime
    due_on: date
    status: str
    ground: str | None = Field(description="a refusal's statutory ground")
    overdue: bool


class DestructionDecision(StrictModel):
    destroy: bool
    ground: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="when refusing: aanmerkelijk_belang_ander or "
        "wettelijk_voorschrift (Jeugdwet art. 7.3.9 lid 3)")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000,
                                             strip_whitespace=True)] | None = None


ItemType = Literal["plan_goal", "plan_action", "observation"]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class WithholdingCreate(StrictModel):
    """Keep a named item from a named parent (WGBO 7:457): a plan goal ('<plan id>:<priority>'),
    a plan action or an observation."""

    member_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    object_type: ItemType
    object_id: ItemId
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000,
                                             strip_whitespace=True)]
    review_on: date


class WithholdingRenew(StrictModel):
    review_on: date


class WithholdingRead(BaseModel):
    id: str
    household_id: str
    member_id: str = Field(description="the member the item is kept from")
    object_type: str
    object_id: str
    kind: str = Field(description="care (the team, WGBO 7:457) or youth (the youth's own wish)")
    review_on: date | None
    created_at: datetime
    ended_at: datetime | None
    in_force: bool


class PrivateCreate(StrictModel):
    """A youth of 12 to 15 keeps one of their own items from their parents."""

    object_type: ItemType
    object_id: ItemId
