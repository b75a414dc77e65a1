"""Identity JSON routes: who am I, and organisations (administrators create them)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from broker.db import DbSession
from broker.identity import service
from broker.identity.deps import ApiPrincipal, require_roles
from broker.identity.principal import Principal
from broker.identity.schemas import OrganisationCreate, OrganisationRead, PrincipalRead

router = APIRouter(tags=["identity"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.get("/me", summary="The authenticated caller: organisation, party type and roles")
def me(principal: ApiPrincipal) -> PrincipalRead:
    return PrincipalRead(kind=principal.kind.value, organisation_id=principal.organisation_id,
                         party=principal.party, roles=sorted(principal.roles),
                         professional_id=principal.professional_id,
                         client_id=principal.client_id)


@router.post("/organisations", status_code=201, response_model=OrganisationRead,
             summary="Register an organisation (administrators)")
def create_organisation(body: OrganisationCreate, request: Request, session: DbSession,
                        _: Admin) -> OrganisationRead:
    organisation = service.create_organisation(session, name=body.name, party=body.party,
                                               policy=request.app.state.policy)
    return OrganisationRead.model_validate(organisation)


@router.get("/organisations/{organisation_id}", response_model=OrganisationRead,
            summary="An organisation's name and party type")
def get_organisation(organisation_id: str, session: DbSession, _: ApiPrincipal
                     ) -> OrganisationRead:
    return OrganisationRead.model_validate(service.require_organisation(session,
                                                                        organisation_id))
