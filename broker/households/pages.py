"""The regisseur's pages (Dutch): my households, one household with its consent matrix."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.clock import local_day, now
from broker.consent import service as consents
from broker.consent.matrix import matrices
from broker.db import DbSession, undo_failed
from broker.disclosure.capacity import age_on
from broker.errors import BrokerError
from broker.households import custody, service
from broker.households.custody import GUARDIAN_PARTY
from broker.households.schemas import CustodyChange
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.plans import service as plans
from broker.web.forms import CheckedForm
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


@router.get("/{household_id}/gezag")
def custody_page(household_id: str, request: Request, session: DbSession,
                 user: CurrentWebUser) -> Response:
    return _custody(request, session, user, household_id)


def _custody(request: Request, session: DbSession, user: CurrentWebUser, household_id: str,
             *, error: str | None = None, status_code: int = 200) -> Response:
    found = custody.custody(session, actor=user.principal, household_id=household_id)
    view = service.view_household(session, actor=user.principal, household_id=household_id)
    guardians = list(session.scalars(select(Organisation).where(
        Organisation.party == GUARDIAN_PARTY).order_by(Organisation.name)))
    return render(request, "households/custody.html", {
        "view": view, "names": view.names(), "custody": found, "guardians": guardians,
        "organisations": {o.id: o.name for o in guardians}, "error": error,
        "today": local_day(now())}, user=user, status_code=status_code)


@router.post("/{household_id}/gezag")
async def change_custody(household_id: str, request: Request, session: DbSession,
                         user: CurrentWebUser, form: CheckedForm) -> Response:
    """One field per child ('custody:<child id>'), each a member id or 'org:<GI id>'."""
    multi = await request.form()
    links = [{"custodian_organisation_id": value.removeprefix("org:"), "child": child}
             if value.startswith("org:") else {"custodian": value, "child": child}
             for key in dict.fromkeys(multi.keys()) if key.startswith("custody:")
             for child in [key.removeprefix("custody:")]
             for value in map(str, multi.getlist(key)) if value]
    try:
        body = CustodyChange.model_validate({"custody": links, "court_decision": {
            "reference": form.get("reference", ""), "date": form.get("date", "")}})
        custody.change_custody(session, actor=user.principal, household_id=household_id,
                               body=body)
    except ValidationError:
        return _custody(request, session, user, household_id, status_code=422,
                        error="Vul het kenmerk en de datum van de beschikking in.")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _custody(request, session, user, household_id, status_code=exc.status,
                        error=exc.detail)
    return RedirectResponse(f"/huishoudens/{household_id}/gezag", status_code=303)
