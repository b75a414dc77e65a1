"""Meldcode pages (Dutch): a case as a guided five-step form with the afwegingskader, the
override request, the four-eyes approval, the review queue and the report to Veilig Thuis."""

from datetime import datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.clock import LEGAL_ZONE
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, Conflict, Forbidden, Invalid, NotFound
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.meldcode import report as reports
from broker.meldcode import service
from broker.meldcode.schemas import (
    CaseCreate,
    HandbackCreate,
    OverrideCreate,
    RestrictionRenew,
    StepCreate,
)
from broker.observations import service as observations
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import gettext_for, refusal_text, render

router = APIRouter(include_in_schema=False)

STEPS = {1: N_("Signalen in kaart brengen"),
         2: N_("Collegiale consultatie en zo nodig Veilig Thuis raadplegen"),
         3: N_("Gesprek met de ouders en het kind"),
         4: N_("Wegen met het afwegingskader"),
         5: N_("Beslissen: melden en/of hulp organiseren")}
QUESTIONS = {
    "vermoeden": N_("1. Is er een vermoeden van huiselijk geweld of kindermishandeling?"),
    "acuut_of_structureel_onveilig": N_("2. Is er sprake van acute of structurele "
                                        "onveiligheid? (Zo ja: melden is nodig.)"),
    "hulp_mogelijk": N_("3. Kunt u zelf, of met anderen, passende hulp bieden of organiseren?"),
    "hulp_geaccepteerd": N_("4. Aanvaarden de betrokkenen de hulp en werken zij mee?"),
    "hulp_leidt_tot_veiligheid": N_("5. Leidt de hulp tot de gewenste veiligheid?"),
}
# What the service's codes mean, for the professional at the form (the API keeps its detail);
# codes whose detail the rules already word in Dutch (meldplicht, ...) keep it.
ERRORS = {
    "step_order": N_("Neem de stappen van de meldcode op volgorde: leg eerst de vorige stap "
                     "vast."),
    "skip_reason_required": N_("Zeg waarom u niet met het gezin sprak: alleen als dat de "
                               "veiligheid in gevaar brengt, slaat u stap 3 over."),
    "answers_incomplete": N_("Stap 4: beantwoord eerst deze vraag: %(question)s Een open "
                             "vraag telt niet als 'nee'."),
    "acute_report": N_("Bij acuut gevaar meldt u in stap 5 meteen bij Veilig Thuis."),
    "follow_up_required": N_("Kies de datum waarop u de hulp volgt."),
    "follow_up_date": N_("Volg de hulp binnen %(max_days)s dagen."),
    "not_reporting": N_("Alleen bij melden kiest u Veilig Thuis of een reden om het gezin "
                        "(nog) niet te informeren."),
    "review_date": N_("Kijk binnen %(max_days)s dagen opnieuw naar de reden om het gezin niet "
                      "te informeren."),
    "unknown_observation": N_("Koppel alleen signalen over dit gezin die u mag zien."),
    "not_veilig_thuis": N_("Meld bij een organisatie van Veilig Thuis."),
    "veilig_thuis_required": N_("Kies bij welke Veilig Thuis u meldt."),
    "no_report": N_("Alleen een zaak die bij Veilig Thuis is gemeld, kan worden "
                    "teruggegeven."),
    "handback_date": N_("De datum van de afschaling ligt tussen de melding en vandaag."),
    "handed_back": N_("Deze zaak is al teruggegeven."),
    "override_in_past": N_("De doorbreking moet eindigen in de toekomst."),
    "override_too_long": N_("Een doorbreking duurt ten hoogste %(max_days)s dagen."),
    "unknown_subject": N_("Kies alleen gezinsleden van dit gezin."),
    "subject_reason": N_("Zeg voor ieder gezinslid behalve het kind waarom zijn of haar "
                         "gegevens nodig zijn voor de veiligheid van het kind."),
    "unknown_category": N_("Kies gegevens uit de lijst."),
    "inform_parents_date": N_("Informeer de ouders binnen de termijn van de meldcode."),
    "unknown_recipient": N_("Een gekozen ontvanger bestaat niet."),
    "override_recipient": N_("Deze ontvanger past niet: bij acuut gevaar alleen Veilig Thuis "
                             "of de politie; een andere ontvanger dan Veilig Thuis of de "
                             "regisseur heeft een wettelijke grondslag nodig."),
    "not_a_child": N_("Een meldcode-zaak gaat over een kind (jonger dan 18)."),
    "not_a_professional": N_("Alleen een professional (een persoon) legt dit vast."),
    "wrong_role": N_("Dit doet een aandachtsfunctionaris."),
    "four_eyes": N_("Vier ogen: iemand anders dan de aanvrager keurt deze doorbreking goed."),
    "four_eyes_same_organisation": N_("Een aandachtsfunctionaris van de organisatie die de "
                                      "doorbreking aanvroeg, keurt haar goed."),
    "override_not_pending": N_("Deze doorbreking wacht niet (meer) op goedkeuring."),
    "override_ended": N_("Deze doorbreking is al beëindigd."),
}


def error_text(request: Request, exc: BrokerError) -> str:
    """A refusal in the reader's language; step 4's open question named in it."""
    values = dict(exc.extra)
    if "question" in values:
        values["question"] = gettext_for(request, QUESTIONS.get(str(values["question"]), ""))
    return refusal_text(request, exc, ERRORS, values=values)


DECISIONS = {"melden": N_("melden bij Veilig Thuis"),
             "hulp_organiseren": N_("hulp organiseren"),
             "melden_en_hulp": N_("melden en hulp organiseren"),
             "afsluiten": N_("afsluiten: geen zorgen meer")}


@router.get("/meldcode/nieuw")
def new_case(request: Request, session: DbSession, user: CurrentWebUser, household: str
             ) -> Response:
    view = households.view_household(session, actor=user.principal, household_id=household)
    return render(request, "meldcode/new.html", {"view": view}, user=user)


@router.post("/meldcode/zaken")
def open_case(request: Request, session: DbSession, user: CurrentWebUser, form: CheckedForm
              ) -> Response:
    try:
        body = CaseCreate.model_validate({"child_id": form.get("child_id", "")})
    except ValidationError:
        raise Invalid("Kies het kind om wie het gaat.", code="validation") from None
    case = service.open_case(session, actor=user.principal, body=body)
    return RedirectResponse(f"/meldcode/zaken/{case.id}", status_code=303)


@router.get("/meldcode/zaken/{case_id}")
def case_page(case_id: str, request: Request, session: DbSession, user: CurrentWebUser
              ) -> Response:
    return _case(request, session, user, case_id)


def _case(request: Request, session: DbSession, user: CurrentWebUser, case_id: str, *,
          error: str | None = None, status_code: int = 200) -> Response:
    view = service.case_view(session, actor=user.principal, case_id=case_id)
    household = households.view_household(session, actor=user.principal,
                                          household_id=view.case.household_id)
    names = household.names()
    shown, _ = observations.household_observations(session, actor=user.principal,
                                                    household_id=view.case.household_id)
    return render(request, "meldcode/case.html", {
        "view": view, "household": household, "names": names, "steps": STEPS,
        "questions": QUESTIONS, "decisions": DECISIONS, "signals": shown,
        "policy": request.app.state.policy, "organisations": _organisations(session),
        "error": error, "next_step": view.next_step if len(view.steps) < 5 else 6,
    }, user=user, status_code=status_code)


def _organisations(session: DbSession) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


@router.post("/meldcode/zaken/{case_id}/stap")
async def record_step(case_id: str, request: Request, session: DbSession,
                      user: CurrentWebUser, form: CheckedForm) -> Response:
    multi = await request.form()
    number = int(step) if (step := form.get("step", "")).isdecimal() else 0
    answers = {q: {"ja": True, "nee": False}.get(form.get(q, "")) for q in QUESTIONS} \
        if number == 4 else None
    reporting = number == 5 and form.get("decision") in ("melden", "melden_en_hulp")
    try:
        body = StepCreate.model_validate({
            "step": number, "content": form.get("content", ""), "answers": answers,
            "decision": form.get("decision") or None,
            "veilig_thuis_id": (form.get("veilig_thuis_id") or None) if reporting else None,
            "observation_ids": [str(v) for v in multi.getlist("observation_ids")],
            "acuut": number == 1 and form.get("acuut") == "ja",
            "talked_with_family": not (number == 3 and form.get("skip") == "ja"),
            "skip_reason": (form.get("skip_reason") or None) if number == 3 else None,
            "follow_up_on": (form.get("follow_up_on") or None) if number == 5 else None,
            "not_informed": {"reason": form["not_informed_reason"],
                             "review_on": form.get("review_on") or None}
            if reporting and form.get("not_informed_reason") else None})
        service.record_step(session, actor=user.principal, case_id=case_id, body=body)
    except ValidationError:
        return _case(request, session, user, case_id, status_code=422,
                     error="Vul de beschrijving in (en bij stap 4 de eerste vraag; bij stap 3 "
                           "waarom u niet met het gezin sprak).")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _case(request, session, user, case_id, status_code=exc.status,
                     error=error_text(request, exc))
    return RedirectResponse(f"/meldcode/zaken/{case_id}", status_code=303)


@router.post("/meldcode/zaken/{case_id}/afschaling")
def record_handback(case_id: str, request: Request, session: DbSession, user: CurrentWebUser,
                    form: CheckedForm) -> Response:
    try:
        body = HandbackCreate.model_validate({"on": form.get("on", "")})
        service.record_handback(session, actor=user.principal, case_id=case_id, body=body)
    except ValidationError:
        return _case(request, session, user, case_id, status_code=422,
                     error="Vul de datum van de afschaling in.")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _case(request, session, user, case_id, status_code=exc.status,
                     error=error_text(request, exc))
    return RedirectResponse(f"/meldcode/zaken/{case_id}", status_code=303)


@router.post("/meldcode/zaken/{case_id}/doorbreking")
async def request_override(case_id: str, request: Request, session: DbSession,
                           user: CurrentWebUser, form: CheckedForm) -> Response:
    multi = await request.form()
    until = form.get("valid_until", "")
    try:
        body = OverrideCreate.model_validate({
            "subject_ids": [str(v) for v in multi.getlist("subject_ids")],
            "categories": [str(v) for v in multi.getlist("categories")],
            "subject_reasons": {str(v): form.get(f"reason_{v}", "") for v in
                                multi.getlist("subject_ids") if form.get(f"reason_{v}")},
            "recipients": [{"organisation_id": str(v),
                            "legal_ground": form.get("legal_ground") or None}
                           for v in multi.getlist("recipients")],
            "justification": form.get("justification", ""),
            "valid_until": datetime.combine(datetime.fromisoformat(until).date(), time(23, 59),
                                            tzinfo=LEGAL_ZONE) if until else "",
            "urgent": form.get("urgent") == "ja",
            "inform_parents": {"planned_on": form.get("planned_on") or None,
                               "not_informed_reason": form.get("not_informed_reason") or None,
                               "review_on": (form.get("review_on") or None)
                               if form.get("not_informed_reason") else None}})
        view = service.request_override(session, actor=user.principal, case_id=case_id,
                                        body=body)
    except (ValidationError, ValueError):
        return _case(request, session, user, case_id, status_code=422,
                     error="Vul alle velden van het verzoek in: wie, welke gegevens, aan wie, "
                           "waarom, tot wanneer, en wanneer u de ouders informeert (of "
                           "waarom niet).")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _case(request, session, user, case_id, status_code=exc.status,
                     error=error_text(request, exc))
    return RedirectResponse(f"/doorbrekingen/{view.override.id}", status_code=303)


@router.get("/doorbrekingen/{override_id}")
def override_page(override_id: str, request: Request, session: DbSession,
                  user: CurrentWebUser) -> Response:
    return _override(request, session, user, override_id)


def _override(request: Request, session: DbSession, user: CurrentWebUser, override_id: str,
              *, error: str | None = None, status_code: int = 200) -> Response:
    view = service.override_view(session, actor=user.principal, override_id=override_id)
    return render(request, "meldcode/override.html", {
        "view": view, "policy": request.app.state.policy,
        "organisations": {o.id: o.name for o in _organisations(session)},
        "is_officer": user.principal.has_role("aandachtsfunctionaris"),
        "is_requester": user.professional.id == view.override.requested_by,
        "told_from": service.tell_from(session, override_ids={override_id},
                                       mandate_ids=set()).get(override_id),
        "error": error,
    }, user=user, status_code=status_code)


def _refused(request: Request, session: DbSession, user: CurrentWebUser, override_id: str,
             exc: BrokerError) -> Response:
    """The override's page saying why, for a caller who may see it; the refusal as it was
    (the error page) for anyone else."""
    undo_failed(session, exc)
    try:
        return _override(request, session, user, override_id, status_code=exc.status,
                         error=error_text(request, exc))
    except NotFound:
        raise exc from None


@router.post("/doorbrekingen/{override_id}/goedkeuren")
def approve(override_id: str, request: Request, session: DbSession, user: CurrentWebUser,
            form: CheckedForm) -> Response:
    """Four eyes; a refusal (the requester, another organisation, not pending) comes back
    on the override's page in Dutch."""
    try:
        service.approve_override(session, actor=user.principal, override_id=override_id)
    except (Forbidden, Conflict) as exc:
        return _refused(request, session, user, override_id, exc)
    return RedirectResponse(f"/doorbrekingen/{override_id}", status_code=303)


@router.post("/doorbrekingen/{override_id}/intrekken")
def revoke(override_id: str, request: Request, session: DbSession, user: CurrentWebUser,
           form: CheckedForm) -> Response:
    try:
        service.revoke_override(session, actor=user.principal, override_id=override_id,
                                reason=form.get("reason") or "ingetrokken")
    except (Forbidden, Conflict) as exc:
        return _refused(request, session, user, override_id, exc)
    return RedirectResponse(f"/doorbrekingen/{override_id}", status_code=303)


@router.post("/doorbrekingen/{override_id}/uitstel")
def renew_restriction(override_id: str, session: DbSession, user: CurrentWebUser,
                      form: CheckedForm) -> Response:
    """Keep the family uninformed until a new review day (aandachtsfunctionaris)."""
    try:
        body = RestrictionRenew.model_validate({"reason": form.get("reason", ""),
                                                "review_on": form.get("review_on", "")})
    except ValidationError:
        raise Invalid("Vul een reden en een datum in.", code="invalid_form") from None
    service.renew_restriction(session, actor=user.principal, override_id=override_id,
                              body=body)
    return RedirectResponse(f"/doorbrekingen/{override_id}", status_code=303)


@router.get("/meldcode/overzicht")
def queue(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    return render(request, "meldcode/queue.html", {
        "queue": service.review_queue(session, actor=user.principal)}, user=user)


@router.get("/meldcode/zaken/{case_id}/melding")
def report(case_id: str, request: Request, session: DbSession, user: CurrentWebUser
           ) -> Response:
    return render(request, "meldcode/report.html", {
        "report": reports.report_to_veilig_thuis(session, actor=user.principal,
                                                 case_id=case_id),
        "policy": request.app.state.policy, "steps": STEPS, "decisions": DECISIONS}, user=user)
