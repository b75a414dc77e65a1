"""Observation pages (Dutch): a partner shares an observation and sees, live, who would see
it; the household's timeline by leefgebied, with withheld items shown as such."""

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from broker.clock import local_day, now
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, NoConsent
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.observations import service
from broker.observations.models import Concern
from broker.observations.schemas import ObservationCreate
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import gettext_for, refusal_text, render

router = APIRouter(prefix="/huishoudens/{household_id}/signalen", include_in_schema=False)
CONCERN_WORDS = {Concern.NONE: N_("geen zorg"), Concern.LOW: N_("lichte zorg"),
                 Concern.MEDIUM: N_("zorg"), Concern.HIGH: N_("grote zorg"),
                 Concern.ACUTE: N_("acuut onveilig")}
# What the service's codes mean, for the person at the form (the API keeps its detail).
ERRORS = {
    "future_date": N_("De datum ligt in de toekomst. Kies vandaag of een dag eerder."),
    "unknown_category": N_("Kies een leefgebied uit de lijst."),
    "unknown_meeting": N_("Deze bijeenkomst hoort niet bij dit gezin."),
    "not_invited": N_("Alleen wie voor deze bijeenkomst is uitgenodigd, kan hier iets voor "
                      "inbrengen."),
    "not_found": N_("Dit gezinslid bestaat niet, of u hebt er geen toegang toe."),
    "amendment_body": N_("Een correctie heeft een tekst; intrekken niet."),
    "retracted": N_("Dit signaal is al ingetrokken."),
}


@router.get("")
def timeline(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
             ) -> Response:
    shown, withheld = service.household_observations(session, actor=user.principal,
                                                     household_id=household_id)
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    by_area: dict[str, list[service.Shown]] = defaultdict(list)
    for item in shown:
        by_area[item.observation.category].append(item)
    return render(request, "observations/timeline.html", {
        "view": view, "names": view.names(), "by_area": dict(sorted(by_area.items())),
        "withheld": withheld, "policy": request.app.state.policy, "concerns": CONCERN_WORDS,
    }, user=user)


@router.get("/nieuw")
def new(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
        ) -> Response:
    return _form(request, session, user, household_id)


@router.post("/voorbeeld")
def preview(household_id: str, request: Request, session: DbSession, user: CurrentWebUser,
            form: CheckedForm) -> Response:
    """The htmx fragment under the form: would the network get this, and who would see it."""
    try:
        result = service.preview_observation(session, actor=user.principal,
                                             body=_body(form, body_optional=True))
    except (ValidationError, BrokerError):
        return render(request, "observations/_preview.html", {"result": None}, user=user)
    return render(request, "observations/_preview.html", {"result": result}, user=user)


@router.post("")
def submit(household_id: str, request: Request, session: DbSession, user: CurrentWebUser,
           form: CheckedForm) -> Response:
    try:
        service.submit_observation(session, actor=user.principal, body=_body(form))
    except ValidationError:
        return _form(request, session, user, household_id, form=form, status_code=422,
                     error=gettext_for(request, N_(
                         "Vul alle velden in; de datum mag niet in de toekomst liggen.")))
    except NoConsent as refusal:
        # The refusal event is kept: this page returns normally, so the request commits.
        return _form(request, session, user, household_id, form=form, status_code=403,
                     refusal=refusal.extra, meldcode=bool(refusal.extra.get("meldcode")))
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, household_id, form=form, status_code=exc.status,
                     error=refusal_text(request, exc, ERRORS))
    return RedirectResponse(f"/huishoudens/{household_id}/signalen", status_code=303)


def _body(form: dict[str, str], *, body_optional: bool = False) -> ObservationCreate:
    return ObservationCreate.model_validate({
        "subject_id": form.get("subject_id", ""), "category": form.get("category", ""),
        "concern": form.get("concern", ""),
        "observed_on": form.get("observed_on") or local_day(now()).isoformat(),
        "body": form.get("body") or ("-" if body_optional else "")})



def _form(request: Request, session: DbSession, user: CurrentWebUser, household_id: str, *,
          form: dict[str, str] | None = None, error: str | None = None, meldcode: bool = False,
          refusal: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """The form, keeping its input; after a refusal for lack of consent (`refusal`, the
    service's facts) it says what is missing and whom to ask."""
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    return render(request, "observations/form.html", {
        "view": view, "names": view.names(), "policy": request.app.state.policy,
        "concerns": CONCERN_WORDS, "form": form or {}, "error": error, "meldcode": meldcode,
        "refusal": refusal,
    }, user=user, status_code=status_code)
