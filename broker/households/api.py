"""Household routes (contract v1)."""

from fastapi import APIRouter, Request

from broker.db import DbSession
from broker.households import custody, service
from broker.households.custody import CustodyView
from broker.households.deps import Regisseur
from broker.households.models import Custody, Incapacity, Representation
from broker.households.schemas import (
    CustodyChange,
    CustodyHistory,
    CustodyPeriod,
    CustodyRead,
    HouseholdCreate,
    HouseholdRead,
    IncapacityCreate,
    IncapacityRead,
    RegisseurChange,
    RegisseurRead,
    RepresentativeCreate,
    RepresentativeRead,
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


@router.get("/{household_id}/custody", summary="Custody today and before, and the consents "
            "to ask again (the household's team)")
def get_custody(household_id: str, session: DbSession, actor: ApiPrincipal) -> CustodyHistory:
    return custody_history(custody.custody(session, actor=actor, household_id=household_id))


@router.put("/{household_id}/custody", summary="Custody from a court's decision on: every "
            "child's custodians, members or a GI (the household's team)")
def change_custody(household_id: str, body: CustodyChange, session: DbSession,
                   actor: ApiPrincipal) -> CustodyHistory:
    return custody_history(custody.change_custody(session, actor=actor,
                                                  household_id=household_id, body=body))


@router.post("/{household_id}/incapacities", status_code=201,
             summary="A youth of 12 or older cannot weigh their interests until a day: the "
             "custodians decide (a professional involved with the family)")
def record_incapacity(household_id: str, body: IncapacityCreate, session: DbSession,
                      actor: ApiPrincipal) -> IncapacityRead:
    return incapacity_read(custody.record_incapacity(session, actor=actor,
                                                     household_id=household_id, body=body))


@router.post("/{household_id}/incapacities/{incapacity_id}/end",
             summary="End a judgement of incapacity today")
def end_incapacity(household_id: str, incapacity_id: str, session: DbSession,
                   actor: ApiPrincipal) -> IncapacityRead:
    return incapacity_read(custody.end_incapacity(
        session, actor=actor, household_id=household_id, incapacity_id=incapacity_id))


@router.post("/{household_id}/representatives", status_code=201,
             summary="An adult's curator or mentor by court decision (the household's team)")
def record_representative(household_id: str, body: RepresentativeCreate, session: DbSession,
                          actor: ApiPrincipal, request: Request) -> RepresentativeRead:
    return representative_read(custody.record_representative(
        session, actor=actor, household_id=household_id, body=body), request)


@router.post("/{household_id}/representatives/{representation_id}/end",
             summary="A curatele or mentorschap ended today")
def end_representative(household_id: str, representation_id: str, session: DbSession,
                       actor: ApiPrincipal, request: Request) -> RepresentativeRead:
    return representative_read(custody.end_representative(
        session, actor=actor, household_id=household_id,
        representation_id=representation_id), request)


def custody_read(row: Custody) -> CustodyRead:
    return CustodyRead(custodian_id=row.custodian_id,
                       custodian_organisation_id=row.custodian_organisation_id,
                       child_id=row.child_id)


def custody_history(view: CustodyView) -> CustodyHistory:
    return CustodyHistory(
        current=[custody_read(r) for r in view.current],
        history=[CustodyPeriod(custodian_id=r.custodian_id,
                               custodian_organisation_id=r.custodian_organisation_id,
                               child_id=r.child_id, started_on=r.started_on,
                               ended_on=r.ended_on) for r in view.history],
        reconsent=view.reconsent)


def incapacity_read(row: Incapacity) -> IncapacityRead:
    return IncapacityRead(id=row.id, subject_id=row.subject_id, assessed_by=row.assessed_by,
                          organisation_id=row.organisation_id, categories=row.categories,
                          valid_from=row.valid_from,
                          valid_until=row.valid_until, ended_on=row.ended_on)


def representative_read(row: Representation, request: Request) -> RepresentativeRead:
    rule = request.app.state.policy.consent.capacity.representatives[row.kind]
    return RepresentativeRead(id=row.id, subject_id=row.subject_id,
                              representative_id=row.representative_id, kind=row.kind,
                              valid_from=row.valid_from, ended_on=row.ended_on,
                              categories=rule.categories)
