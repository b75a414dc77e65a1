"""Inspection-readiness pages (Dutch): the team lead's dashboard and one household's list."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broker.db import DbSession
from broker.identity.deps import CurrentWebUser
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
}
STATUSES = {"ok": N_("in orde"), "missing": N_("ontbreekt"), "overdue": N_("te laat"),
            "attention": N_("aandacht")}
FLAGS = {
    "violence_without_assessment": N_("signalen van onveiligheid zonder veiligheidstaxatie"),
    "deescalated_without_assessment": N_("afgeschaald door Veilig Thuis zonder nieuwe "
                                         "taxatie"),
    "signals_without_meldcode": N_("signalen zonder meldcode"),
    "meldcode_stalled": N_("meldcode staat stil"),
}
WORDS = {"labels": LABELS, "statuses": STATUSES, "flags": FLAGS, "reasons": REASONS}


@router.get("")
def dashboard(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    result = service.summary(session, actor=user.principal)
    return render(request, "quality/dashboard.html", {"summary": result, **WORDS}, user=user)


@router.get("/huishoudens/{household_id}")
def household(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
              ) -> Response:
    readiness = service.household_readiness(session, actor=user.principal,
                                            household_id=household_id)
    return render(request, "quality/household.html", {"readiness": readiness, **WORDS},
                  user=user)
