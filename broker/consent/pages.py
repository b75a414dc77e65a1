"""Consent pages (Dutch): the form that shows who must still sign, and the receipt."""

from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.clock import LEGAL_ZONE
from broker.consent import service
from broker.consent.schemas import ConsentCreate, Evidence, Recipient
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(include_in_schema=False)
ROLE_WORDS = {"subject": N_("zelf (de jongere of volwassene)"),
              "custodian": N_("gezaghebbende ouder"),
              "guardian": N_("voogd (gecertificeerde instelling)"),
              "representative": N_("curator of mentor")}


def _form(request: Request, session: DbSession, user: CurrentWebUser, household_id: str, *,
          error: str | None = None, status_code: int = 200) -> Response:
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    return render(request, "consent/form.html", {
        "view": view, "policy": request.app.state.policy, "organisations": organisations,
        "error": error}, user=user, status_code=status_code)


@router.get("/huishoudens/{household_id}/toestemming")
def consent_form(household_id: str, request: Request, session: DbSession,
                 user: CurrentWebUser) -> Response:
    return _form(request, session, user, household_id)


@router.get("/huishoudens/{household_id}/toestemming/wie")
def who_signs(household_id: str, request: Request, session: DbSession, user: CurrentWebUser,
              subject_id: str = "", categories: Annotated[list[str], Query()] = []  # noqa: B006
              ) -> Response:
    """Who must sign, for the person and the matters ticked so far (htmx, live)."""
    known = [c for c in categories if c in request.app.state.policy.categories]
    required = service.required_signers(session, actor=user.principal, subject_id=subject_id,
                                        categories=known) if subject_id else ()
    members = households.view_household(session, actor=user.principal,
                                        household_id=household_id).names()
    members |= {o.id: o.name for o in session.scalars(select(Organisation).where(
        Organisation.id.in_([r.member_id for r in required if r.role == "guardian"])))}
    return render(request, "consent/_signers.html", {
        "required": required, "members": members, "words": ROLE_WORDS}, user=user)


def _body(form: dict[str, list[str]], single: dict[str, str]) -> ConsentCreate:
    until = single.get("valid_until")
    return ConsentCreate(
        subject_id=single.get("subject_id", ""), categories=form.get("categories", []),
        recipients=[Recipient(party=p) for p in form.get("parties", [])]
        + [Recipient(organisation_id=o) for o in form.get("organisations", [])],
        purposes=form.get("purposes", []), grantor_ids=form.get("grantor_ids", []),
        evidence=Evidence(method=single.get("method", ""),
                          reference=single.get("reference") or None),
        valid_until=datetime.combine(datetime.fromisoformat(until).date(), time(),
                                     tzinfo=LEGAL_ZONE) if until else None)


@router.post("/huishoudens/{household_id}/toestemming")
async def save_consent(household_id: str, request: Request, session: DbSession,
                       user: CurrentWebUser, single: CheckedForm) -> Response:
    multi = await request.form()
    lists = {key: [str(v) for v in multi.getlist(key)] for key in multi.keys()}
    try:
        consent = service.grant_consent(session, actor=user.principal,
                                        body=_body(lists, single))
    except (ValidationError, ValueError):  # ValueError: valid_until is not a date
        return _form(request, session, user, household_id, status_code=422,
                     error="Vul alle verplichte velden in.")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, household_id, status_code=exc.status,
                     error=_dutch(exc))
    return RedirectResponse(f"/toestemmingen/{consent.id}/bewijs", status_code=303)


def _dutch(exc: BrokerError) -> str:
    return {"capacity": "Niet de juiste personen geven toestemming. Kijk wie moet tekenen.",
            "evidence": "Voor deze gegevens is uitdrukkelijke toestemming nodig (schriftelijk, "
                        "in een bijeenkomst of via het portaal).",
            "period_too_long": "Deze toestemming mag niet zo lang gelden."}.get(
        exc.code, "De toestemming kon niet worden vastgelegd.")


@router.get("/toestemmingen/{consent_id}/bewijs")
def receipt(consent_id: str, request: Request, session: DbSession, user: CurrentWebUser
            ) -> Response:
    consent = service.consent_view(session, actor=user.principal, consent_id=consent_id)
    view = households.view_household(session, actor=user.principal,
                                     household_id=consent.consent.household_id)
    names = view.names()
    organisation = session.get(Organisation, consent.consent.recorded_by_organisation_id)
    return render(request, "consent/receipt.html", {
        "c": consent, "names": names, "policy": request.app.state.policy,
        "controller": organisation.name if organisation else "",
        "org_names": service.organisation_names(session, [consent])}, user=user)

