"""The privacy officer's person search and access report (Dutch), under /verantwoording."""


from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from broker.audit.deps import PrivacyOfficerPage
from broker.audit.labels import ACTIONS, ACTOR_KINDS, BASES, SEARCH_REASONS
from broker.clock import local_day, now
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError
from broker.subject_access import service
from broker.web.forms import CheckedForm, parse_day
from broker.web.navigation import N_
from broker.web.pdf import pdf_response
from broker.web.templating import render

router = APIRouter(prefix="/verantwoording/personen", include_in_schema=False)

# The flow cookie keeps the last search's outcome (member ids, never the name searched for),
# so the search can answer with a redirect and the results survive a reload.
LAST_SEARCH = "person_search"
FIELDS = ("name", "birth_date", "reason", "reference")
ERRORS = {
    "search_needs_name_or_birth_date": N_("Vul een naam, een geboortedatum of allebei in."),
    "search_reason_missing": N_("Kies waarom u deze persoon zoekt."),
    "search_reference_invalid": N_(
        "Vul bij „Kenmerk” het zaak- of registratienummer van het verzoek in, bijvoorbeeld "
        "AVG-2026-014: letters, cijfers en . / _ -, met minstens één cijfer en zonder "
        "spaties (nooit een naam: het logboek bewaart het kenmerk voorgoed)."),
    "birth_date_invalid": N_("De geboortedatum is geen datum. Vul bijvoorbeeld 02-04-1988 in."),
    "birth_date_future": N_("De geboortedatum ligt in de toekomst."),
}


def _context(request: Request) -> dict[str, object]:
    return {"actions": ACTIONS, "bases": BASES, "reasons": SEARCH_REASONS,
            "actor_kinds": ACTOR_KINDS, "policy": request.app.state.policy}


def _form(request: Request, user: PrivacyOfficerPage, form: dict[str, str], *,
          error: str | None = None, last: dict[str, object] | None = None,
          matches: list[service.PersonMatch] | None = None) -> Response:
    return render(request, "subject_access/search.html", {
        "form": form, "error": error, "last": last, "matches": matches,
        "today": local_day(now()).isoformat(), **_context(request)},
        status_code=422 if error else 200, user=user)


@router.get("")
def search_form(request: Request, session: DbSession, user: PrivacyOfficerPage) -> Response:
    last = request.session.get(LAST_SEARCH)
    if not isinstance(last, dict) or last.get("by") != user.professional.id:
        last = None
    matches = service.matches_by_id(session, list(last["ids"])) if last else None
    return _form(request, user, {"name": "", "birth_date": "", "reason": "access_request",
                                 "reference": ""}, last=last, matches=matches)


@router.post("")
def search(request: Request, session: DbSession, user: PrivacyOfficerPage,
           form: CheckedForm) -> Response:
    fields = {key: form.get(key, "").strip() for key in FIELDS}
    try:
        born = parse_day(fields["birth_date"])
    except ValueError:
        return _form(request, user, fields, error=ERRORS["birth_date_invalid"])
    if born is not None and born > local_day(now()):
        return _form(request, user, fields, error=ERRORS["birth_date_future"])
    try:
        found = service.find_persons(session, actor=user.principal, name=fields["name"],
                                     birth_date=born, reason=fields["reason"],
                                     reference=fields["reference"])
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, user, fields, error=ERRORS.get(exc.code, ERRORS[
            "search_needs_name_or_birth_date"]))
    request.session[LAST_SEARCH] = {
        "by": user.professional.id, "ids": [p.member_id for p in found],
        "reason": fields["reason"], "reference": fields["reference"],
        "with_name": bool(service.name_words(fields["name"])), "with_date": born is not None}
    return RedirectResponse("/verantwoording/personen", status_code=303)


@router.get("/{subject_id}")
def report(subject_id: str, request: Request, session: DbSession, user: PrivacyOfficerPage
           ) -> Response:
    found = service.access_report(session, actor=user.principal, member_id=subject_id)
    return render(request, "subject_access/report.html", {
        "report": found, **_context(request)}, user=user)


@router.get("/{subject_id}/pdf")
def report_pdf(subject_id: str, request: Request, session: DbSession,
               user: PrivacyOfficerPage) -> Response:
    """The same report as a PDF, to hand to the citizen."""
    found = service.access_report(session, actor=user.principal, member_id=subject_id)
    return pdf_response(request, "subject_access/report_print.html",
                        {"report": found, "made_at": now(), **_context(request)},
                        filename=f"inzageoverzicht-{subject_id[:8]}.pdf")
