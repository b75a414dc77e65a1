"""Requests for information in the browser: the regisseur asks from the household page, both
sides follow them on /informatieverzoeken, the holder answers there."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.audit.queries import organisation_names
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, Conflict, Invalid
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.information_requests import service
from broker.information_requests.schemas import InformationAnswer, InformationRequestCreate
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import refusal_text, render

router = APIRouter(include_in_schema=False)

STATUS = {"open": N_("open"), "consent_requested": N_("de houder vraagt toestemming"),
          "override": N_("gedeeld via een doorbreking"), "refused": N_("geweigerd")}


# What the service's codes mean, for the person at the form (the API keeps its detail).
ERRORS = {
    "holder_not_permitted": N_("U mag deze persoon niet noemen aan die organisatie: vraag het "
                               "gezin eerst toestemming om de naam (basisgegevens) te delen."),
    "not_a_requester": N_("Alleen de regisseur van het gezin (of een organisatie met een "
                          "wettelijke taak voor het kind) vraagt om informatie."),
    "unknown_category": N_("Kies gegevens uit de lijst."),
    "unknown_purpose": N_("Kies een doel uit de lijst."),
    "unknown_organisation": N_("Kies een andere, bestaande organisatie."),
    "request_answered": N_("Dit verzoek is al beantwoord."),
    "reason_required": N_("Zeg waarom u dit niet deelt."),
    "override_mismatch": N_("Noem een doorbreking van uw organisatie die nu geldt voor deze "
                            "persoon, deze gegevens en deze vrager."),
    "not_found": N_("Dit verzoek of deze persoon bestaat niet, of u hebt er geen toegang toe."),
}


@router.get("/informatieverzoeken")
def requests_page(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    return _list(request, session, user)


def _list(request: Request, session: DbSession, user: CurrentWebUser, *,
          error: str | None = None, status_code: int = 200) -> Response:
    views = service.requests(session, actor=user.principal)
    return render(request, "information_requests/list.html", {
        "views": views, "organisations": organisation_names(session, {
            org for v in views for org in (v.request.requester_organisation_id,
                                           v.request.holder_organisation_id)}),
        "status": STATUS, "error": error,
        "policy": request.app.state.policy, "mine": user.principal.organisation_id},
        user=user, status_code=status_code)


@router.get("/informatieverzoeken/nieuw")
def new_request(request: Request, session: DbSession, user: CurrentWebUser, household: str
                ) -> Response:
    return _form(request, session, user, household)


def _form(request: Request, session: DbSession, user: CurrentWebUser, household: str, *,
          error: str | None = None, status_code: int = 200) -> Response:
    view = households.view_household(session, actor=user.principal, household_id=household)
    organisations = [o for o in session.scalars(select(Organisation).order_by(Organisation.name))
                     if o.id != user.principal.organisation_id]
    return render(request, "information_requests/new.html", {
        "view": view, "organisations": organisations, "policy": request.app.state.policy,
        "error": error}, user=user, status_code=status_code)


@router.post("/informatieverzoeken")
async def ask(request: Request, session: DbSession, user: CurrentWebUser, form: CheckedForm
              ) -> Response:
    multi = await request.form()
    household = form.get("household_id", "")
    try:
        body = InformationRequestCreate.model_validate({
            "subject_id": form.get("subject_id", ""),
            "categories": [str(v) for v in multi.getlist("categories")],
            "holder_organisation_id": form.get("holder_organisation_id", ""),
            "purpose": "hulpverlening", "reason": form.get("reason", "")})
        service.ask(session, actor=user.principal, body=body)
    except ValidationError:
        return _form(request, session, user, household, status_code=422,
                     error="Kies over wie, welke gegevens en bij wie, en zeg waarom.")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, household, status_code=exc.status,
                     error=refusal_text(request, exc, ERRORS))
    return RedirectResponse("/informatieverzoeken", status_code=303)


@router.post("/informatieverzoeken/{request_id}/antwoord")
def answer(request_id: str, request: Request, session: DbSession, user: CurrentWebUser,
           form: CheckedForm) -> Response:
    """The holder answers; a refusal (no reason given, answered already) comes back on the
    list, saying what is wrong. A request the caller may not answer stays unknown (404)."""
    try:
        body = InformationAnswer.model_validate({"answer": form.get("answer", ""),
                                                 "reason": form.get("reason") or None})
    except ValidationError:
        raise Invalid("Kies een antwoord.", code="invalid_form") from None
    try:
        service.answer(session, actor=user.principal, request_id=request_id, body=body)
    except (Invalid, Conflict) as exc:
        undo_failed(session, exc)
        return _list(request, session, user, status_code=exc.status,
                     error=refusal_text(request, exc, ERRORS))
    return RedirectResponse("/informatieverzoeken", status_code=303)
