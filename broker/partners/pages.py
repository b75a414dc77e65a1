"""A partner's pages (Dutch): the families its organisation is involved with, and one family
as that organisation may see it."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broker.care.words import FEEDBACK
from broker.db import DbSession
from broker.identity.deps import CurrentWebUser
from broker.partners import service
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(prefix="/gezinnen", include_in_schema=False)

GROUNDS = {"consent": N_("toestemming van het gezin"),
           "override": N_("doorbreking van het beroepsgeheim (meldcode)"),
           "mandate": N_("wettelijke taak"), "guardian": N_("voogdij"),
           "meeting": N_("uitgenodigd voor een netwerkbijeenkomst")}
CONCERNS = {"none": N_("geen zorg"), "low": N_("lichte zorg"), "medium": N_("zorg"),
            "high": N_("grote zorg"), "acute": N_("acuut onveilig")}
MEETING_STATUS = {"polling": N_("moment wordt gekozen"), "scheduled": N_("gepland"),
                  "held": N_("gehouden"), "cancelled": N_("afgelast")}


@router.get("")
def families(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    rows = service.involved_families(session, actor=user.principal)
    return render(request, "partners/list.html", {
        "rows": rows, "grounds": GROUNDS, "status": MEETING_STATUS,
        "policy": request.app.state.policy}, user=user)


@router.get("/{household_id}")
def family(household_id: str, request: Request, session: DbSession, user: CurrentWebUser
           ) -> Response:
    page = service.family_page(session, actor=user.principal, household_id=household_id)
    return render(request, "partners/family.html", {
        "page": page, "view": page.view, "names": page.view.names(), "grounds": GROUNDS,
        "status": MEETING_STATUS, "concerns": CONCERNS, "policy": request.app.state.policy,
        "feedback_words": FEEDBACK}, user=user)
