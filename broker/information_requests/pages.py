"""Requests for information in the browser: the regisseur asks from the household page, both
sides follow them on /informatieverzoeken, the holder answers there."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.audit.queries import organisation_names
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, Invalid
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.information_requests import service
from broker.information_requests.schemas import InformationAnswer, InformationRequestCreate
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS = {"open": N_("open"), "consent_requested": N_("de houder vraagt toestemming"),
          "override": N_("gedeeld via een doorbreking"), "refused": N_("geweigerd")}


@router.get("/informatieverzoeken")
def requests_page(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    views = service.requests(session, actor=user.principal)
    return render(request, "information_requests/list.html", {
        "views": views, "organisations": organisation_names(session, {
            org for v in views for org in (v.request.requester_organisation_id,
                                           v.request.holder_organisation_id)}),
        "status": STATUS,
        "policy": request.app.state.policy, "mine": user.principal.organisation_id}, user=user)


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
                     error=exc.detail)
    return RedirectResponse("/informatieverzoeken", status_code=303)


@router.post("/informatieverzoeken/{request_id}/antwoord")
def answer(request_id: str, session: DbSession, user: CurrentWebUser, form: CheckedForm
           ) -> Response:
    try:
        body = InformationAnswer.model_validate({"answer": form.get("answer", ""),
                                                 "reason": form.get("reason") or None})
    except ValidationError:
        raise Invalid("Kies een antwoord.", code="invalid_form") from None
    service.answer(session, actor=user.principal, request_id=request_id, body=body)
    return RedirectResponse("/informatieverzoeken", status_code=303)
