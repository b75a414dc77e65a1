"""The start page: the work list of each role the professional holds (one service call)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broker.db import DbSession
from broker.identity.deps import MaybeWebUser
from broker.start import service
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(include_in_schema=False)

HEADINGS = {
    "my_households": N_("Mijn huishoudens"),
    "reconsent_due": N_("Toestemming opnieuw vragen"),
    "meetings_to_plan": N_("Bijeenkomsten te plannen"),
    "actions_overdue": N_("Acties uit het plan over hun datum"),
    "feedback_due": N_("Terugkoppeling te geven"),
    "our_families": N_("Gezinnen waarbij wij betrokken zijn"),
    "polls_to_answer": N_("Uitnodigingen om te beantwoorden"),
    "requests_to_answer": N_("Informatieverzoeken om te beantwoorden"),
    "overrides_to_handle": N_("Doorbrekingen om goed te keuren of te toetsen"),
    "destruction_due": N_("Verzoeken om vernietiging"),
    "overrides_in_force": N_("Doorbrekingen die nu gelden"),
    "unusual_disclosures": N_("Opvallende verstrekkingen (laatste 7 dagen)"),
    "households_at_risk": N_("Huishoudens met risico"),
    "directory": N_("Beheer"),
}
EMPTY = {
    "my_households": N_("U bent nog van geen huishouden de regisseur."),
    "reconsent_due": N_("Geen toestemmingen om opnieuw te vragen."),
    "meetings_to_plan": N_("Geen bijeenkomsten te plannen."),
    "actions_overdue": N_("Geen acties over hun datum."),
    "feedback_due": N_("Geen terugkoppeling te geven aan wie een signaal gaf."),
    "our_families": N_("Uw organisatie is nu bij geen gezin betrokken."),
    "polls_to_answer": N_("Geen open uitnodigingen."),
    "requests_to_answer": N_("Geen open informatieverzoeken."),
    "overrides_to_handle": N_("Geen doorbrekingen die op u wachten."),
    "destruction_due": N_("Geen open verzoeken om vernietiging."),
    "overrides_in_force": N_("Er geldt nu geen doorbreking."),
    "unusual_disclosures": N_("Geen weigeringen of verstrekkingen via een doorbreking."),
    "households_at_risk": N_("Geen huishoudens met risico."),
    "directory": "",
}
MORE = N_("Alles bekijken")
FLAGS = {  # the quality dashboard's words (routes import no routes; same catalogue entries)
    "violence_without_assessment": N_("signalen van onveiligheid zonder veiligheidstaxatie"),
    "deescalated_without_assessment": N_("afgeschaald door Veilig Thuis zonder nieuwe "
                                         "taxatie"),
    "signals_without_meldcode": N_("signalen zonder meldcode"),
    "meldcode_stalled": N_("meldcode staat stil"),
    "child_not_seen": N_("een kind is niet op tijd gezien en gesproken"),
    "unsafe_without_escalation": N_("onveilig zonder opschaling"),
}


@router.get("/")
def home(request: Request, session: DbSession, user: MaybeWebUser) -> Response:
    sections = service.work_list(session, actor=user.principal) if user else []
    return render(request, "home.html", {"sections": sections, "headings": HEADINGS,
                                         "empty": EMPTY, "flags": FLAGS,
                                         "more": MORE}, user=user)
