"""The regisseur's pages (Dutch): my households, one household with its consent matrix."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broker.clock import local_day, now
from broker.consent import service as consents
from broker.consent.matrix import matrices
from broker.db import DbSession
from broker.disclosure.capacity import age_on
from broker.households import service
from broker.identity.deps import CurrentWebUser
from broker.plans import service as plans
from broker.web.templating import render

router = APIRouter(prefix="/huishoudens", include_in_schema=False)


@router.get("")
def my_households(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    households = service.households_of_regisseur(session, user.professional.id)
    return render(request, "households/list.html", {"households": households}, user=user)


@router.get("/{household_id}")
def household(household_id: str, request: Request, session: DbSession,
              user: CurrentWebUser) -> Response:
    view = service.view_household(session, actor=user.principal, household_id=household_id)
    names = view.names()
    consent_views = consents.household_consents(session, actor=user.principal,
                                                household_id=household_id)
    policy = request.app.state.policy
    org_names = consents.organisation_names(session, consent_views)
    directs = view.regisseur.professional_id == user.professional.id
    return render(request, "households/household.html", {
        "view": view, "names": names, "policy": policy,
        "matrices": matrices(consent_views, policy, org_names),
        # Who still has to consent again is the regisseur's to act on (it names custodians).
        "due": consents.reconsent_due(session, household_id) if directs else [],
        "is_regisseur": directs,
        "youths": {v.member.id for v in view.members if v.member.role == "child"
                   and age_on(v.member.birth_date, local_day(now()))
                   >= policy.consent.family_page.own_page_from},
        "trends": plans.trends(session, actor=user.principal, household_id=household_id),
    }, user=user)
