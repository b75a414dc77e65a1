"""Household routes (contract v1)."""

from fastapi import APIRouter

from broker.db import DbSession
from broker.households import service
from broker.households.deps import Regisseur
from broker.households.schemas import (
    CustodyRead,
    HouseholdCreate,
    HouseholdRead,
    MemberRead,
    RegisseurChange,
    RegisseurRead,
)
from broker.identity.deps import ApiPrincipal

router = APIRouter(prefix="/households", tags=["households"])


def household_read(view: service.HouseholdView) -> HouseholdRead:
    members = [MemberRead(id=v.member.id, ref=v.member.ref, role=v.member.role,
                          **({"given_name": v.member.given_name,
                              "family_name": v.member.family_name,
                              "birth_date": v.member.birth_date} if v.shown
                             else {"withheld": v.reason}))
               for v in view.members]
    regisseur = view.regisseur
    return HouseholdRead(
        id=view.household.id, label=view.household.label, members=members,
        custody=[CustodyRead(custodian_id=c.custodian_id, child_id=c.child_id)
                 for c in view.custody],
        regisseur=RegisseurRead(professional_id=regisseur.professional_id,
                                organisation_id=regisseur.organisation_id,
                                since=regisseur.assigned_at))


@router.post("", status_code=201, response_model=HouseholdRead,
             summary="Create a household; the caller becomes regisseur")
def create_household(body: HouseholdCreate, session: DbSession, actor: Regisseur
                     ) -> HouseholdRead:
    household = service.create_household(session, actor=actor, body=body)
    return household_read(service.view_household(session, actor=actor, household_id=household.id))


@router.get("/{household_id}", summary="The household as the caller may see it")
def get_household(household_id: str, session: DbSession, actor: ApiPrincipal
                  ) -> HouseholdRead:
    return household_read(service.view_household(session, actor=actor, household_id=household_id))


@router.put("/{household_id}/regisseur", summary="Hand over direction to another regisseur")
def hand_over(household_id: str, body: RegisseurChange, session: DbSession,
              actor: ApiPrincipal) -> RegisseurRead:
    assignment = service.hand_over(session, actor=actor, household_id=household_id,
                                   professional_id=body.professional_id)
    return RegisseurRead(professional_id=assignment.professional_id,
                         organisation_id=assignment.organisation_id,
                         since=assignment.assigned_at)
