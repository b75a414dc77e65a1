"""Household payloads (contract 4.1)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from broker.households.service import HouseholdView


from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from broker.households.models import MemberRole
from broker.schemas import StrictModel

Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class MemberCreate(StrictModel):
    ref: Ref
    given_name: Name
    family_name: Name
    birth_date: date
    role: MemberRole
    bsn: Annotated[str, StringConstraints(pattern=r"^\d{8,9}$")] | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                            max_length=320)] | None = None


class CustodyCreate(StrictModel):
    custodian: Ref
    child: Ref


class HouseholdCreate(StrictModel):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=200)]
    members: list[MemberCreate] = Field(min_length=1, max_length=30)
    custody: list[CustodyCreate] = Field(default_factory=list, max_length=60)
    # The household's team: one of the regisseur's teams; needed only when they are in several.
    team_id: str | None = Field(default=None, max_length=36)


class MemberRead(BaseModel):
    id: str
    ref: str
    role: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    withheld: str | None = None  # why the details are not shown to this caller


class CustodyRead(BaseModel):
    custodian_id: str | None = Field(description="a member with custody (gezag)")
    custodian_organisation_id: str | None = Field(
        default=None, description="a GI with custody (voogdij)")
    child_id: str


Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]


class CourtDecisionIn(StrictModel):
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100,
                                                strip_whitespace=True)]
    date: date


class CustodyLink(StrictModel):
    """One custodian of one child: a member, or a GI organisation (voogdij)."""

    custodian: Id | None = None
    custodian_organisation_id: Id | None = None
    child: Id


class CustodyChange(StrictModel):
    """The household's custody from the court's decision on: every child's custodians. A
    minor who had custodians keeps at least one (422 `custody_incomplete`)."""

    custody: list[CustodyLink] = Field(max_length=60)
    court_decision: CourtDecisionIn


class CustodyPeriod(BaseModel):
    custodian_id: str | None
    custodian_organisation_id: str | None
    child_id: str
    started_on: date | None = Field(description="None: since the household was recorded")
    ended_on: date | None


class CustodyHistory(BaseModel):
    current: list[CustodyRead]
    history: list[CustodyPeriod]
    reconsent: list[str] = Field(description="consents to be asked again: granted under "
                                 "custody that changed, or missing a custodian now")


class IncapacityCreate(StrictModel):
    """A person of 12 or older cannot weigh their interests in these matters (wilsonbekwaam
    ter zake) until a day."""

    subject_id: Id
    categories: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=30, description="the matters (data categories)")
    reason: Reason
    valid_until: date


class IncapacityRead(BaseModel):
    id: str
    subject_id: str
    assessed_by: str
    organisation_id: str
    categories: list[str]
    valid_from: date
    valid_until: date
    ended_on: date | None


class RepresentativeCreate(StrictModel):
    """An adult's curator or mentor, a member of the household, by court decision."""

    subject_id: Id
    representative_id: Id
    kind: Annotated[str, StringConstraints(min_length=1, max_length=10)]
    court_decision: CourtDecisionIn


class RepresentativeRead(BaseModel):
    id: str
    subject_id: str
    representative_id: str
    kind: str
    valid_from: date
    ended_on: date | None
    categories: list[str] | None = Field(description="the matters they grant in (None: all)")


class RegisseurRead(BaseModel):
    professional_id: str
    organisation_id: str
    team_id: str | None = None  # the team the household belongs to
    since: datetime


class HouseholdRead(BaseModel):
    id: str
    label: str
    members: list[MemberRead]
    custody: list[CustodyRead]
    regisseur: RegisseurRead


class RegisseurChange(StrictModel):
    professional_id: str
    team_id: str | None = Field(default=None, max_length=36)  # when they are in several teams

def household_read(view: "HouseholdView") -> HouseholdRead:
    members = [MemberRead(id=v.member.id, ref=v.member.ref, role=v.member.role,
                          **({"given_name": v.member.given_name,
                              "family_name": v.member.family_name,
                              "birth_date": v.member.birth_date} if v.shown
                             else {"withheld": v.reason}))
               for v in view.members]
    regisseur = view.regisseur
    return HouseholdRead(
        id=view.household.id, label=view.label, members=members,
        custody=[CustodyRead(custodian_id=c.custodian_id,
                             custodian_organisation_id=c.custodian_organisation_id,
                             child_id=c.child_id) for c in view.custody],
        regisseur=RegisseurRead(professional_id=regisseur.professional_id,
                                organisation_id=regisseur.organisation_id,
                                team_id=regisseur.team_id, since=regisseur.assigned_at))
