"""Consent pages (Dutch): the form that shows who must still sign, and the receipt."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import LEGAL_ZONE, local_day, now
from broker.consent import service
from broker.consent.schemas import ConsentCreate, Evidence, Recipient
from broker.db import DbSession, undo_failed
from broker.disclosure.capacity import Required, age_on
from broker.errors import BrokerError
from broker.households import service as households
from broker.identity.deps import CurrentWebUser, WebUser
from broker.identity.models import Organisation
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.pdf import pdf_response
from broker.web.templating import render

router = APIRouter(include_in_schema=False)
ROLE_WORDS = {"subject": N_("zelf (de jongere of volwassene)"),
              "custodian": N_("gezaghebbende ouder"),
              "guardian": N_("voogd (gecertificeerde instelling)"),
              "representative": N_("curator of mentor")}


@dataclass(frozen=True)
class Refusal:
    """Who still has to sign (member or GI id, None: no custodian recorded; and the role)
    and who signed without being entitled to, as the service's `capacity` refusal says."""

    missing: list[dict[str, str | None]]
    not_entitled: list[str]


def _form(request: Request, session: DbSession, user: CurrentWebUser, household_id: str, *,
          filled: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None,
          refusal: Refusal | None = None, status_code: int = 200) -> Response:
    """The form; after a refusal with every field as sent, what is wrong and who is missing."""
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    filled = filled or {}
    subject_id = (filled.get("subject_id") or [""])[0]
    known = [c for c in filled.get("categories", []) if c in request.app.state.policy.categories]
    required = service.required_signers(session, actor=user.principal, subject_id=subject_id,
                                        categories=known) \
        if subject_id in {v.member.id for v in view.members} else ()
    return render(request, "consent/form.html", {
        "view": view, "policy": request.app.state.policy, "organisations": organisations,
        "filled": filled, "one": {k: (v[0] if v else "") for k, v in filled.items()},
        "errors": errors or {}, "refusal": refusal, "messages": MESSAGES,
        "required": required, "members": _signer_names(
            session, view, [*required, *(refusal.missing if refusal else [])]),
        "words": ROLE_WORDS, "people": _people(view),
        "adult_from": request.app.state.policy.consent.capacity.adult_from},
        user=user, status_code=status_code)


def _people(view: households.HouseholdView) -> dict[str, dict[str, str | int]]:
    """How the refusal names members it may name: 'J. de Vries', 'Noor', and their age."""
    today = local_day(now())
    return {v.member.id: {"short": f"{v.member.given_name[:1]}. {v.member.family_name}",
                          "given": v.member.given_name,
                          "age": age_on(v.member.birth_date, today)}
            for v in view.members if v.shown}


def _signer_names(session: DbSession, view: households.HouseholdView,
                  required: Sequence[Required | dict[str, str | None]]) -> dict[str, str]:
    """The household's members by name, and the GI organisations among the signers."""
    ids = [r.member_id if isinstance(r, Required) else r.get("member_id") for r in required]
    return view.names() | {o.id: o.name for o in session.scalars(select(Organisation).where(
        Organisation.id.in_([i for i in ids if i])))}


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
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    members = _signer_names(session, view, required)
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
    lists = {key: [str(v) for v in multi.getlist(key)] for key in multi.keys()
             if key != "csrf_token"}
    try:
        consent = service.grant_consent(session, actor=user.principal,
                                        body=_body(lists, single))
    except ValidationError as exc:
        return _form(request, session, user, household_id, filled=lists, status_code=422,
                     errors=_field_errors(exc))
    except ValueError:  # valid_until is not a date
        return _form(request, session, user, household_id, filled=lists, status_code=422,
                     errors={"valid_until": "invalid_date"})
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, household_id, filled=lists,
                     status_code=exc.status, errors={"form": exc.code},
                     refusal=Refusal(exc.extra.get("missing", []),
                                     exc.extra.get("not_entitled", []))
                     if exc.code == "capacity" else None)
    return RedirectResponse(f"/toestemmingen/{consent.id}/bewijs", status_code=303)


FIELDS = {"subject_id": "subject_id", "categories": "categories", "recipients": "recipients",
          "purposes": "purposes", "grantor_ids": "grantor_ids", "evidence": "method"}


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """The form's fields that are missing or wrong, by the schema's location."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = FIELDS.get(str(error["loc"][0]) if error["loc"] else "", "form")
        errors.setdefault(field, "required" if error["type"] in (
            "missing", "too_short", "string_too_short") else "invalid")
    return errors


# What the form says about a refusal, by code (the service's `BrokerError.code`).
MESSAGES = {
    "capacity": N_("Niet de juiste personen geven toestemming."),
    "evidence": N_("Voor deze gegevens is uitdrukkelijke toestemming nodig: schriftelijk, in "
                   "een bijeenkomst of via het portaal."),
    "period_too_long": N_("Deze toestemming mag niet zo lang gelden. Kies een eerdere datum "
                          "bij 'Geldig tot', of laat het veld leeg."),
    "invalid_period": N_("'Geldig tot' moet na vandaag liggen."),
    "invalid_date": N_("Dit is geen geldige datum."),
    "unknown_term": N_("Kies gegevens, ontvangers en doelen uit de lijst."),
    "unknown_recipient": N_("Deze organisatie bestaat niet meer. Kies een andere."),
    "not_the_guardian": N_("Een voogd (gecertificeerde instelling) tekent zelf, via een eigen "
                           "medewerker."),
    "wrong_role": N_("Alleen een regisseur of partner legt toestemming vast."),
    "not_found": N_("Deze persoon hoort niet (meer) bij dit huishouden."),
    "required": N_("Vul dit in."),
    "invalid": N_("Kies een van de mogelijkheden."),
    "other": N_("De toestemming kon niet worden vastgelegd."),
}


@router.get("/toestemmingen/{consent_id}/bewijs")
def receipt(consent_id: str, request: Request, session: DbSession, user: CurrentWebUser
            ) -> Response:
    return render(request, "consent/receipt.html",
                  _receipt(session, request, user, consent_id), user=user)


@router.get("/toestemmingen/{consent_id}/bewijs.pdf")
def receipt_pdf(consent_id: str, request: Request, session: DbSession, user: CurrentWebUser
                ) -> Response:
    """The same receipt as a tagged PDF/A, to hand to the family and to keep."""
    return pdf_response(request, "consent/receipt_print.html",
                        _receipt(session, request, user, consent_id),
                        filename=f"toestemming-{consent_id[:8]}.pdf")


def _receipt(session: Session, request: Request, user: WebUser, consent_id: str
             ) -> dict[str, object]:
    consent = service.consent_view(session, actor=user.principal, consent_id=consent_id)
    view = households.view_household(session, actor=user.principal,
                                     household_id=consent.consent.household_id)
    organisation = session.get(Organisation, consent.consent.recorded_by_organisation_id)
    return {"c": consent, "names": view.names(), "policy": request.app.state.policy,
            "controller": organisation.name if organisation else "",
            "org_names": service.organisation_names(session, [consent])}