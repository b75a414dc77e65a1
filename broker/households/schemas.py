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
    custodian_id: str
    child_id: str


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
        custody=[CustodyRead(custodian_id=c.custodian_id, child_id=c.child_id)
                 for c in view.custody],
        regisseur=RegisseurRead(professional_id=regisseur.professional_id,
                                organisation_id=regisseur.organisation_id,
                                team_id=regisseur.team_id, since=regisseur.assigned_at))
