"""Meeting payloads (contract 4.1)."""

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from broker.consent.schemas import ConsentCreate, ConsentRead, Id
from broker.households.schemas import HouseholdRead
from broker.meetings.models import Answer, Rsvp
from broker.observations.schemas import ObservationList
from broker.schemas import StrictModel

Line = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class SlotCreate(StrictModel):
    start: AwareDatetime


class InviteeCreate(StrictModel):
    professional_id: Id | None = None
    organisation_id: Id | None = None
    member_id: Id | None = None
    required: bool = True

    @model_validator(mode="after")
    def _exactly_one(self) -> "InviteeCreate":
        if sum(x is not None for x in (self.professional_id, self.organisation_id,
                                       self.member_id)) != 1:
            raise ValueError("give one of professional_id, organisation_id, member_id")
        return self


class MeetingCreate(StrictModel):
    household_id: Id
    title: Line
    duration_minutes: int = Field(ge=15, le=480)
    location: Line
    slots: list[SlotCreate] = Field(min_length=1, max_length=20)
    invitees: list[InviteeCreate] = Field(min_length=1, max_length=40)


class AnswerIn(StrictModel):
    slot_id: Id
    answer: Answer


class AvailabilityIn(StrictModel):
    answers: list[AnswerIn] = Field(min_length=1, max_length=20)
    on_behalf_of_member_id: Id | None = None


class ScheduleIn(StrictModel):
    slot_id: Id | None = None
    location: Line | None = None


class RsvpIn(StrictModel):
    response: Rsvp


class SlotRead(BaseModel):
    id: str
    start: datetime
    end: datetime


class InviteeRead(BaseModel):
    id: str
    professional_id: str | None
    organisation_id: str | None
    member_id: str | None
    required: bool
    rsvp: str | None
    answers: dict[str, str]
    personal_link: str | None = Field(
        default=None, description="members only, shown once at creation: pass it on")


class SlotScoreRead(BaseModel):
    slot_id: str
    all_required: bool
    compromise: bool
    yes: int
    if_need_be: int
    unavailable_required: list[str]


class MeetingRead(BaseModel):
    id: str
    household_id: str
    reference: str
    title: str | None
    location: str
    duration_minutes: int
    status: str
    sequence: int
    slot_id: str | None
    slots: list[SlotRead]
    invitees: list[InviteeRead]
    ranking: list[SlotScoreRead]
    warnings: list[str] = []


class MeetingConsentCreate(ConsentCreate):
    """As POST /consents, given by family members present; the evidence is the meeting."""

    present_member_ids: list[Id] = Field(min_length=1, max_length=20)


class BriefRead(BaseModel):
    """What this attendee may know, each item through the one door."""

    meeting_id: str
    reference: str
    household: HouseholdRead
    observations: ObservationList
    consents: list[ConsentRead]
