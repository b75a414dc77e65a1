"""The path of a household's help (Dutch): one page for its team, from the help request to
closure, with a form per step. Every form answers with a redirect to its section; a refusal
shows the page again with what was typed and a Dutch message at that form."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from broker.care import form as forms
from broker.care import path, service, words
from broker.clock import local_day, now
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.plans import service as plans
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import gettext_for, refusal_text, render

router = APIRouter(prefix="/huishoudens", include_in_schema=False)

# The services' refusals, as the page says them.
MESSAGES = {
    "closure_unsafe": N_("Afsluiten kan nu niet: de laatste taxatie is niet veilig of het gezin "
                         "stopt, en er is niet opgeschaald. Leg eerst een opschaling vast "
                         "(Veilig Thuis, Jeugdbeschermingstafel, Raad of doorzettingsmacht)."),
    "safety_questions": N_("Beantwoord elke veiligheidsvraag met ja of nee."),
    "instrument": N_("Kies een instrument uit de lijst."),
    "outcome": N_("Kies een uitkomst uit de lijst."),
    "in_future": N_("Deze datum ligt in de toekomst. Leg alleen vast wat al gebeurd is."),
    "declined_without_reason": N_("Zeg wie van het gezin het familiegroepsplan afwees, en "
                                  "waarom."),
    "not_offered": N_("Leg eerst vast dat het familiegroepsplan is aangeboden."),
    "reference": N_("Vul het kenmerk in van het familiegroepsplan dat u kreeg."),
    "no_plan": N_("Er is nog geen plan om te evalueren. Leg eerst de uitkomst van een "
                  "netwerkbijeenkomst vast."),
    "next_evaluation": N_("De volgende evaluatie komt na deze evaluatie: kies een latere "
                          "datum."),
    "goals": N_("Geef elk doel één score."),
    "aftercare": N_("Kies de organisatie die de nazorg geeft."),
    "not_a_signal": N_("Terugkoppeling hoort bij een signaal van een andere organisatie over "
                       "dit gezin."),
    "feedback_given": N_("Op dit signaal is al teruggekoppeld."),
    "help_closed": N_("De hulp aan dit gezin is al afgesloten. Een nieuwe hulpvraag start de "
                      "hulp opnieuw."),
    "subjects": N_("Kies alleen leden van dit gezin. Een taxatie en een kindgesprek gaan over "
                   "een kind."),
    "zrm": N_("De ZRM-scores zijn 1 tot en met 5, per leefgebied en per volwassene."),
    "life_domains": N_("Kies leefgebieden uit de lijst."),
    "view_without_conversation": N_("Wat het kind zelf zegt, legt u alleen vast als u het "
                                    "kind hebt gesproken."),
    "professional": N_("Kies een professional van uw organisatie die met het kind sprak."),
    "organisation": N_("Kies een organisatie uit de lijst."),
    "ended_on": N_("Een plan eindigt na de dag waarop het begon."),
    "outcome_recorded": N_("De uitkomst van deze opschaling is al vastgelegd."),
    "not_the_team": N_("Alleen het team van dit gezin legt dit vast."),
    "too_early": N_("Deze datum ligt te vroeg: vóór de geboorte van het kind, vóór het begin "
                    "van de hulp of vóór de opschaling zelf."),
}
# What a form says when a field is missing or cannot be read, per section.
INVALID = {
    "hulpvraag": N_("Vul de hulpvraag in en beantwoord de veiligheidsvragen. Een datum "
                    "schrijft u als dd-mm-jjjj."),
    "veiligheid": N_("Kies een instrument en een uitkomst en schrijf de onderbouwing op. De "
                     "schaal loopt van 0 tot 10."),
    "kindgesprekken": N_("Kies het kind en vul de datum in."),
    "familiegroepsplan": N_("Kies wat er met het familiegroepsplan gebeurde en vul de datum "
                            "in."),
    "evaluatie": N_("Vul de datum in, per doel de score bij de start en nu (0 tot 10), de "
                    "veiligheid nu en de datum van de volgende evaluatie."),
    "opschaling": N_("Kies naar wie en waarom, vul de datum in en schrijf de reden op."),
    "andere-plannen": N_("Kies de organisatie en het soort, en vul het kenmerk en de datum "
                         "in. Om te beëindigen: vul de einddatum in."),
    "terugkoppeling": N_("Kies wat er met het signaal is gedaan."),
    "afsluiten": N_("Kies waarom de hulp stopt. Een datum schrijft u als dd-mm-jjjj."),
}
WORDS = {"outcome_words": words.OUTCOMES, "plan_words": words.FAMILY_GROUP_PLAN,
         "to_words": words.ESCALATION_TO, "why_words": words.ESCALATION_WHY,
         "closure_words": words.CLOSURE, "kind_words": words.OTHER_PLAN_KINDS,
         "place_words": words.PLACES, "feedback_words": words.FEEDBACK}


@router.get("/{household_id}/hulp")
def care_page(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
              ) -> Response:
    return _page(request, session, user, household_id)


def _page(request: Request, session: DbSession, user: CurrentWebUser, household_id: str, *,
          failed: str | None = None, error: str | None = None,
          entered: FormData | None = None, status_code: int = 200) -> Response:
    """The page; after a refusal, the failed section's form as it was sent, and why."""
    care = path.care_path(session, actor=user.principal, household_id=household_id)
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    policy = request.app.state.policy
    plan = plans.latest_plan(session, household_id)
    return render(request, "care/path.html", {
        "care": care, "view": view, "names": view.names(), "policy": policy,
        "children": [v.member for v in view.members if v.member.role == "child"],
        "adults": [v.member for v in view.members if v.member.role != "child"],
        "domains": service.life_domains(policy),
        "zrm_areas": [c for c in policy.categories.values() if c.zrm],
        "goal_count": len(plan.goal_domains or []) if plan else 0,
        "organisations": sorted(care.organisations.items(), key=lambda o: o[1]),
        "today": local_day(now()), "failed": failed, "error": error,
        "entered": {k: v for k, v in (entered or {}).items() if isinstance(v, str)},
        "ticked": {f"{k}={v}" for k, v in (entered.multi_items() if entered else [])
                   if isinstance(v, str)},
        **WORDS}, user=user, status_code=status_code)


async def _record(request: Request, session: DbSession, user: CurrentWebUser,
                  household_id: str, section: str, call: Callable[[FormData], Any]
                  ) -> Response:
    """Build the body from the form and call the one service function; then to the
    section (PRG), or the page again with the message at the section's form."""
    entered = await request.form()
    try:
        call(entered)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _page(request, session, user, household_id, failed=section,
                     entered=entered, status_code=exc.status,
                     error=refusal_text(request, exc, MESSAGES,
                                        otherwise=N_("Dit kon niet worden vastgelegd.")))
    except ValueError:  # a field is missing or is not what it should be
        return _page(request, session, user, household_id, failed=section, entered=entered,
                     status_code=422, error=gettext_for(request, INVALID[section]))
    return RedirectResponse(f"/huishoudens/{household_id}/hulp#{section}", status_code=303)


@router.post("/{household_id}/hulp/hulpvraag")
async def help_request(household_id: str, request: Request, session: DbSession,
                       user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "hulpvraag", lambda f: (
        service.record_help_request(session, actor=user.principal,
                                    household_id=household_id, body=forms.help_request(f))))


@router.post("/{household_id}/hulp/veiligheid")
async def safety_assessment(household_id: str, request: Request, session: DbSession,
                            user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "veiligheid", lambda f: (
        service.record_safety_assessment(session, actor=user.principal,
                                         household_id=household_id,
                                         body=forms.safety_assessment(f))))


@router.post("/{household_id}/hulp/kindgesprek")
async def child_contact(household_id: str, request: Request, session: DbSession,
                        user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "kindgesprekken", lambda f: (
        service.record_child_contact(session, actor=user.principal,
                                     household_id=household_id,
                                     body=forms.child_contact(f))))


@router.post("/{household_id}/hulp/familiegroepsplan")
async def family_group_plan(household_id: str, request: Request, session: DbSession,
                            user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "familiegroepsplan", lambda f: (
        service.record_family_group_plan(session, actor=user.principal,
                                         household_id=household_id,
                                         body=forms.family_group_plan(f))))


@router.post("/{household_id}/hulp/evaluatie")
async def evaluation(household_id: str, request: Request, session: DbSession,
                     user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "evaluatie", lambda f: (
        service.record_evaluation(session, actor=user.principal, household_id=household_id,
                                  body=forms.evaluation(f))))


@router.post("/{household_id}/hulp/opschaling")
async def escalation(household_id: str, request: Request, session: DbSession,
                     user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "opschaling", lambda f: (
        service.record_escalation(session, actor=user.principal, household_id=household_id,
                                  body=forms.escalation(f))))


@router.post("/{household_id}/hulp/opschaling/{escalation_id}/uitkomst")
async def escalation_outcome(household_id: str, escalation_id: str, request: Request,
                             session: DbSession, user: CurrentWebUser, _: CheckedForm
                             ) -> Response:
    return await _record(request, session, user, household_id, "opschaling", lambda f: (
        service.record_escalation_outcome(session, actor=user.principal,
                                          escalation_id=escalation_id,
                                          body=forms.escalation_outcome(f))))


@router.post("/{household_id}/hulp/andere-plannen")
async def other_plan(household_id: str, request: Request, session: DbSession,
                     user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "andere-plannen", lambda f: (
        service.register_other_plan(session, actor=user.principal, household_id=household_id,
                                    body=forms.other_plan(f))))


@router.post("/{household_id}/hulp/andere-plannen/{other_plan_id}")
async def update_other_plan(household_id: str, other_plan_id: str, request: Request,
                            session: DbSession, user: CurrentWebUser, _: CheckedForm
                            ) -> Response:
    return await _record(request, session, user, household_id, "andere-plannen", lambda f: (
        service.update_other_plan(session, actor=user.principal, other_plan_id=other_plan_id,
                                  body=forms.other_plan_update(f))))


@router.post("/{household_id}/hulp/terugkoppeling")
async def feedback(household_id: str, request: Request, session: DbSession,
                   user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "terugkoppeling", lambda f: (
        service.give_feedback(session, actor=user.principal, household_id=household_id,
                              body=forms.feedback(f))))


@router.post("/{household_id}/hulp/afsluiten")
async def close(household_id: str, request: Request, session: DbSession,
                user: CurrentWebUser, _: CheckedForm) -> Response:
    return await _record(request, session, user, household_id, "afsluiten", lambda f: (
        service.close_help(session, actor=user.principal, household_id=household_id,
                           body=forms.closure(f))))
