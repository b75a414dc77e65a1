"""Meeting-day and plan pages (Dutch): the brief, the regisseur's meeting-day page (who is
there, consent on the spot, the three columns, the outcome form), the plan and the minutes."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData

from broker.clock import local_day, now
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, Invalid
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation, Professional
from broker.meetings import brief as briefs
from broker.meetings import service as meetings
from broker.meetings.schemas import MeetingConsentCreate
from broker.observations import service as observations
from broker.plans import service
from broker.plans.minutes import OUTCOMES, minutes_context, minutes_pdf
from broker.plans.schemas import ActionUpdate, OutcomeCreate
from broker.web.forms import CheckedForm
from broker.web.i18n import gettext_ as _
from broker.web.navigation import N_
from broker.web.templating import refusal_text, render

router = APIRouter(include_in_schema=False)
COLUMNS = (("worry", N_("Zorgen")), ("going_well", N_("Wat gaat goed")),
           ("next_step", N_("Wat moet er gebeuren")))
# The services' refusals on the meeting-day forms, as the page says them.
MESSAGES = {
    "actions": N_("Geef elke actie een doel van het plan en een bestaande organisatie."),
    "goals": N_("Geef elk doel een eigen nummer en een leefgebied uit de lijst."),
    "zrm": N_("De ZRM-scores zijn 1 tot en met 5 per leefgebied."),
    "subjects": N_("Kies bij een doel alleen leden van dit gezin."),
    "not_a_regisseur": N_("Kies als regisseur een actieve professional met de rol regisseur."),
    "not_scheduled": N_("De uitkomst volgt op een geplande bijeenkomst."),
    "outcome_recorded": N_("De uitkomst van deze bijeenkomst is al vastgelegd."),
    "safety_assessment_required": N_("Er zijn ernstige zorgen (een signaal met grote of acute "
                                     "zorg, of een open meldcode-zaak): leg een "
                                     "veiligheidstaxatie vast over wie het gaat."),
    "grantor_absent": N_("Wie toestemming geeft, moet aanwezig zijn."),
    "capacity": N_("Niet iedereen die moet tekenen, geeft toestemming. Kijk wie gezag heeft "
                   "en vanaf welke leeftijd het kind zelf tekent."),
    "unknown_recipient": N_("Kies een organisatie uit de lijst."),
    "meeting_closed": N_("Deze bijeenkomst is al gehouden en kan niet meer worden gewijzigd."),
}


def _message(request: Request, exc: BrokerError) -> str:
    return refusal_text(request, exc, MESSAGES, otherwise=N_("Dit kon niet worden vastgelegd."))


@router.get("/bijeenkomsten/{meeting_id}/voorbereiding")
def brief_page(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser
               ) -> Response:
    found = briefs.brief(session, actor=user.principal, meeting_id=meeting_id)
    return render(request, "plans/brief.html", {
        "brief": found, "policy": request.app.state.policy}, user=user)


@router.get("/bijeenkomsten/{meeting_id}/dag")
def meeting_day(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser
                ) -> Response:
    return _day(request, session, user, meeting_id)


def _day(request: Request, session: DbSession, user: CurrentWebUser, meeting_id: str, *,
         error: str | None = None, status_code: int = 200,
         entered: FormData | None = None) -> Response:
    """The meeting-day page; after a refusal its forms show what was entered."""
    view = meetings.meeting_view(session, actor=user.principal, meeting_id=meeting_id)
    meetings.require_organiser(session, user.principal, meeting_id)
    household = households.view_household(session, actor=user.principal,
                                          household_id=view.meeting.household_id)
    invited = {i.organisation_id for i in view.invitees if i.organisation_id}
    organisations = list(session.scalars(select(Organisation).where(
        Organisation.id.in_(invited | {user.principal.organisation_id}))
        .order_by(Organisation.name)))
    regisseurs = [p for p in session.scalars(select(Professional).where(
        Professional.active.is_(True)).order_by(Professional.name)) if "regisseur" in p.roles]
    return render(request, "plans/day.html", {
        "view": view, "household": household, "organisations": organisations,
        "regisseurs": regisseurs, "policy": request.app.state.policy, "error": error,
        "family": [i for i in view.invitees if i.member_id], "columns": COLUMNS,
        "entered": {k: v for k, v in (entered or {}).items() if isinstance(v, str)},
        "ticked": {f"{k}={v}" for k, v in (entered.multi_items() if entered else [])
                   if isinstance(v, str)},
    }, user=user, status_code=status_code)


@router.get("/bijeenkomsten/{meeting_id}/kolommen")
def columns(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser
            ) -> Response:
    """The htmx fragment with the contributions, refreshed while the meeting runs."""
    view = meetings.meeting_view(session, actor=user.principal, meeting_id=meeting_id)
    shown, _ = observations.household_observations(session, actor=user.principal,
                                                    household_id=view.meeting.household_id)
    mine = [s for s in shown if s.observation.meeting_id == meeting_id]
    return render(request, "plans/_columns.html", {"items": mine, "columns": COLUMNS},
                  user=user)


@router.post("/bijeenkomsten/{meeting_id}/toestemming")
async def consent(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
                  form: CheckedForm) -> Response:
    multi = await request.form()
    try:
        body = MeetingConsentCreate.model_validate({
            "subject_id": form.get("subject_id", ""),
            "categories": [str(v) for v in multi.getlist("categories")],
            "recipients": [{"organisation_id": str(v)} for v in multi.getlist("recipients")],
            "purposes": ["hulpverlening"],
            "grantor_ids": [str(v) for v in multi.getlist("grantor_ids")],
            "present_member_ids": [str(v) for v in multi.getlist("present")],
            "evidence": {"method": "meeting"}})
        briefs.consent_in_meeting(session, actor=user.principal, meeting_id=meeting_id,
                                  body=body)
    except ValidationError:
        return _day(request, session, user, meeting_id, status_code=422, entered=multi,
                    error=_("Kies wie aanwezig is, over wie het gaat, welke gegevens en aan "
                            "wie."))
    except BrokerError as exc:
        undo_failed(session, exc)
        return _day(request, session, user, meeting_id, status_code=exc.status, entered=multi,
                    error=_message(request, exc))
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}/dag", status_code=303)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/bijeenkomsten/{meeting_id}/uitkomst")
async def save_outcome(meeting_id: str, request: Request, session: DbSession,
                       user: CurrentWebUser, form: CheckedForm) -> Response:
    multi = await request.form()
    subjects = {n: [str(v) for v in multi.getlist(f"goal{n}_subjects")] for n in (1, 2, 3)}
    try:
        body = _outcome(form, subjects)
        plan = service.record_outcome(session, actor=user.principal, meeting_id=meeting_id,
                                      body=body)
    except NotANumber:
        return _day(request, session, user, meeting_id, status_code=422, entered=multi,
                    error=_("Kies bij elke actie een doel en bij de ZRM een score uit de "
                            "lijst."))
    except ValidationError:
        return _day(request, session, user, meeting_id, status_code=422, entered=multi,
                    error=_("Vul de analyse, het perspectief, minstens één doel, de "
                            "regisseur en de evaluatiedatum in."))
    except BrokerError as exc:
        undo_failed(session, exc)
        return _day(request, session, user, meeting_id, status_code=exc.status, entered=multi,
                    error=_message(request, exc))
    return RedirectResponse(f"/huishoudens/{plan.household_id}/plan", status_code=303)


class NotANumber(ValueError):
    """A form field that holds a number held something else."""


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise NotANumber from None


def _outcome(form: dict[str, str], subjects: dict[int, list[str]]) -> OutcomeCreate:
    """The outcome form as the API's body; ValidationError or NotANumber when it is not one.
    A goal whose subjects are not ticked is about the children."""
    goals = [{"priority": n, "domain": form.get(f"goal{n}_domain", ""),
              "description": form.get(f"goal{n}", ""), "subject_ids": subjects[n] or None}
             for n in (1, 2, 3) if form.get(f"goal{n}")]
    actions = [{"goal": _number(form.get(f"action{n}_goal") or "1"),
                "description": form.get(f"action{n}", ""),
                "owner_organisation_id": form.get(f"action{n}_owner", ""),
                "due": form.get(f"action{n}_due") or local_day(now()).isoformat()}
               for n in (1, 2, 3) if form.get(f"action{n}")]
    assessment = {"instrument": form.get("instrument", ""),
                  "outcome": form.get("assessment_outcome", ""),
                  "rationale": form.get("rationale", "")} if form.get("instrument") else None
    return OutcomeCreate.model_validate({
        "analysis": {"child_needs": form.get("child_needs", ""),
                     "parenting_capacity": form.get("parenting_capacity", ""),
                     "family_environment": form.get("family_environment", "")},
        "signs_of_safety": {"worries": _lines(form.get("worries", "")),
                            "strengths": _lines(form.get("strengths", "")),
                            "next_steps": _lines(form.get("next_steps", "")),
                            "safety_scale": form.get("safety_scale") or None},
        "zrm": {k.removeprefix("zrm:"): _number(v) for k, v in form.items()
                if k.startswith("zrm:") and v},
        "safety_assessment": assessment,
        "plan": {"perspective": form.get("perspective", ""), "goals": goals,
                 "actions": actions},
        "regisseur_id": form.get("regisseur_id", ""),
        "next_evaluation": form.get("next_evaluation", "")})


@router.get("/huishoudens/{household_id}/plan")
def plan_page(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
              ) -> Response:
    view = service.current_plan(session, actor=user.principal, household_id=household_id)
    owners = {o.id: o.name for o in session.scalars(select(Organisation))}
    return render(request, "plans/plan.html", {
        "view": view, "policy": request.app.state.policy, "owners": owners,
        "outcomes": OUTCOMES, "mine": user.principal.organisation_id}, user=user)


@router.post("/plan-acties/{action_id}")
def update_action(action_id: str, session: DbSession, user: CurrentWebUser, form: CheckedForm
                  ) -> Response:
    try:
        body = ActionUpdate.model_validate({"status": form.get("status")})
    except ValidationError:
        raise Invalid("Kies een van de standen van de actie.", code="validation") from None
    service.update_action(session, actor=user.principal, action_id=action_id, body=body)
    back = form.get("back", "")
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//")
                            else "/", status_code=303)


@router.get("/bijeenkomsten/{meeting_id}/verslag")
def minutes_page(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser
                 ) -> Response:
    view = service.meeting_minutes(session, actor=user.principal, meeting_id=meeting_id)
    return render(request, "plans/minutes.html",
                  minutes_context(session, view, request.app.state.policy), user=user)


@router.get("/bijeenkomsten/{meeting_id}/verslag.pdf")
def minutes_pdf_page(meeting_id: str, request: Request, session: DbSession,
                     user: CurrentWebUser) -> Response:
    """The minutes as a PDF for a logged-in browser, on the same terms as the page."""
    view = service.meeting_minutes(session, actor=user.principal, meeting_id=meeting_id)
    return Response(minutes_pdf(session, view, request.app.state.policy),
                    media_type="application/pdf", headers={
                        "Content-Disposition": 'attachment; filename="verslag.pdf"'})
