"""Inspection-readiness pages (Dutch): the team lead's dashboard and one household's list."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broker.db import DbSession
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Role
from broker.quality import service
from broker.quality.reasons import REASONS
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(prefix="/kwaliteit", include_in_schema=False)

LABELS = {
    "safety_assessment": N_("Veiligheidstaxatie aanwezig en actueel"),
    "integral_analysis": N_("Integrale analyse (kind, opvoeders, omgeving)"),
    "plan_goals": N_("Plan met perspectief en concrete doelen"),
    "regisseur_named": N_("Eén regisseur benoemd"),
    "evaluation_due": N_("Evaluatie op tijd"),
    "partners_asked": N_("Partners gevraagd wat zij weten"),
    "meldcode_followed": N_("Meldcode gevolgd bij signalen"),
    "help_request": N_("Hulpvraag met het gezin geformuleerd"),
    "life_domains": N_("Alle leefgebieden bekeken"),
    "safety_questions": N_("Veiligheid ingeschat bij de start"),
    "self_reliance": N_("Zelfredzaamheid ingeschat (ZRM)"),
    "family_group_plan": N_("Familiegroepsplan aangeboden"),
    "one_plan_one_regisseur": N_("Eén gezin, één plan, één regisseur"),
    "evaluation_safety": N_("Veiligheid bij evaluatie vergeleken met de start"),
    "escalation": N_("Opgeschaald als vrijwillige hulp niet werkt"),
    "plan_adjusted": N_("Doelen bijgesteld bij veranderde behoefte"),
    "closure": N_("Afgesloten als het gezin zelfstandig verder kan of met nazorg"),
    "child_seen": N_("Elk kind gezien en gesproken"),
    "feedback_to_signaller": N_("Terugkoppeling aan wie een signaal gaf"),
}
THEMES = {"toegang": N_("Toeleiding en toegang"), "in_zorg": N_("In zorg"),
          "veiligheid": N_("Veiligheid van de kinderen")}
STATUSES = {"ok": N_("in orde"), "missing": N_("ontbreekt"), "overdue": N_("te laat"),
            "attention": N_("aandacht")}
FLAGS = {
    "violence_without_assessment": N_("signalen van onveiligheid zonder veiligheidstaxatie"),
    "deescalated_without_assessment": N_("afgeschaald door Veilig Thuis zonder nieuwe "
                                         "taxatie"),
    "signals_without_meldcode": N_("signalen zonder meldcode"),
    "meldcode_stalled": N_("meldcode staat stil"),
    "child_not_seen": N_("een kind is niet op tijd gezien en gesproken"),
    "unsafe_without_escalation": N_("onveilig zonder opschaling"),
}
WORDS = {"labels": LABELS, "statuses": STATUSES, "flags": FLAGS, "reasons": REASONS,
         "themes": THEMES, "grouped": service.THEMES}
CARE = "/huishoudens/{id}/hulp#"
NEW_MEETING = "/bijeenkomsten/nieuw?household={id}"
# Where each indicator is put right, for the household's regisseur.
LINKS = {
    "help_request": CARE + "hulpvraag", "life_domains": CARE + "hulpvraag",
    "safety_questions": CARE + "hulpvraag", "self_reliance": CARE + "hulpvraag",
    "partners_asked": NEW_MEETING, "family_group_plan": CARE + "familiegroepsplan",
    "one_plan_one_regisseur": CARE + "andere-plannen", "regisseur_named": "/huishoudens/{id}",
    "integral_analysis": "/huishoudens/{id}/plan", "plan_goals": "/huishoudens/{id}/plan",
    "evaluation_due": CARE + "evaluatie", "evaluation_safety": CARE + "evaluatie",
    "escalation": CARE + "opschaling", "plan_adjusted": NEW_MEETING,
    "closure": CARE + "afsluiten", "safety_assessment": CARE + "veiligheid",
    "child_seen": CARE + "kindgesprekken", "meldcode_followed": "/meldcode/nieuw?household={id}",
    "feedback_to_signaller": CARE + "terugkoppeling",
}


def links(readiness: service.Readiness) -> dict[str, str]:
    """Each indicator's page for this household; without a plan, the plan comes from a
    network meeting's outcome."""
    no_plan = any(i.id == "integral_analysis" and i.status == "missing"
                  for i in readiness.indicators)
    return {i: (NEW_MEETING if no_plan and i in ("integral_analysis", "plan_goals") else url)
            .format(id=readiness.household_id) for i, url in LINKS.items()}


@router.get("")
def dashboard(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    result = service.summary(session, actor=user.principal)
    return render(request, "quality/dashboard.html", {"summary": result, **WORDS}, user=user)


@router.get("/huishoudens/{household_id}")
def household(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
              ) -> Response:
    readiness = service.household_readiness(session, actor=user.principal,
                                            household_id=household_id)
    # The team lead reads the figures; the regisseur follows each to where it is fixed.
    fixes = links(readiness) if user.principal.has_role(Role.REGISSEUR) else {}
    return render(request, "quality/household.html", {
        "readiness": readiness, "indicators": {i.id: i for i in readiness.indicators},
        "links": fixes, **WORDS}, user=user)
