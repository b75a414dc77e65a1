"""Household routes (contract v1)."""

from fastapi import APIRouter

from broker.db import DbSession
from broker.households import service
from broker.households.deps import Regisseur
from broker.households.schemas import (
    HouseholdCreate,
    HouseholdRead,
    RegisseurChange,
    RegisseurRead,
    household_read,
)
from broker.identity.deps import ApiPrincipal

router = APIRouter(prefix="/households", tags=["households"])


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
                                   professional_id=body.professional_id, team_id=body.team_id)
    return RegisseurRead(professional_id=assignment.professional_id,
                         organisation_id=assignment.organisation_id,
                         team_id=assignment.team_id, since=assignment.assigned_at)
