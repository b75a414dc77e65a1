"""The privacy officer's pages (Dutch): search the log, one event and its proof, a timeline
of disclosures per organisation. The person search and report are `broker.subject_access`'s
(they read household members, which the audit layer may not import)."""

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from broker.audit import labels, queries, service
from broker.audit.chart import line_chart
from broker.audit.deps import PrivacyOfficerPage
from broker.clock import now
from broker.db import DbSession
from broker.web.forms import parse_day
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(prefix="/verantwoording", include_in_schema=False)

DATE_ERRORS = {
    "since": N_("„Vanaf” is geen datum. Vul een datum in zoals 31-12-2026, of laat het leeg."),
    "until": N_("„Tot en met” is geen datum. Vul een datum in zoals 31-12-2026, of laat het "
                "leeg."),
    "order": N_("„Tot en met” ligt vóór „Vanaf”. Kies een latere einddatum."),
}


def _day_start(day: date | None, request: Request) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=request.app.state.settings.zone)


def _dates(since: str, until: str) -> tuple[date | None, date | None, list[str]]:
    """Both days are optional (either, both or none); what is wrong, as message keys."""
    days: dict[str, date | None] = {}
    errors: list[str] = []
    for key, text in (("since", since), ("until", until)):
        try:
            days[key] = parse_day(text)
        except ValueError:
            days[key], errors = None, [*errors, key]
    first, last = days["since"], days["until"]
    if first and last and last < first:
        errors.append("order")
    return first, last, errors


def _context(request: Request) -> dict[str, object]:
    return {"actions": labels.ACTIONS, "bases": labels.BASES, "outcomes": labels.OUTCOMES,
            "effects": labels.EFFECTS, "actor_kinds": labels.ACTOR_KINDS,
            "reasons": labels.SEARCH_REASONS, "policy": request.app.state.policy}


@router.get("")
def events(request: Request, session: DbSession, user: PrivacyOfficerPage,
           subject_id: str = "", actor_id: str = "", organisation_id: str = "",
           action: str = "", basis: str = "", since: str = "", until: str = "",
           cursor: Annotated[str | None, Query(pattern=r"^\d+$")] = None) -> Response:
    form = {"subject_id": subject_id, "actor_id": actor_id, "organisation_id": organisation_id,
            "action": action, "basis": basis, "since": since.strip(), "until": until.strip()}
    template = "audit/_events.html" if request.headers.get("hx-request") else "audit/events.html"
    organisations = queries.all_organisations(session)
    first, last, errors = _dates(since, until)
    if errors:
        return render(request, template, {
            "page": None, "form": form, "errors": [DATE_ERRORS[e] for e in errors],
            "error_fields": errors, "organisations": organisations, "actor_names": {},
            "names": {}, "next_query": None, **_context(request)},
            # htmx swaps only a 2xx answer: the message must reach the results area
            status_code=200 if request.headers.get("hx-request") else 422, user=user)
    where = queries.EventFilter(subject_id or None, actor_id or None, organisation_id or None,
                                action or None, basis or None, _day_start(first, request),
                                _day_start(last + timedelta(days=1) if last else None,
                                           request))
    page = queries.search_events(session, actor=user.principal, where=where, cursor=cursor)
    names = queries.organisation_names(session, {e["actor_organisation_id"] for e in page.items}
                                       | {e["recipient_organisation_id"] for e in page.items})
    next_query = urlencode({**{k: v for k, v in form.items() if v},
                            "cursor": page.next_cursor}) if page.next_cursor else None
    return render(request, template, {"page": page, "form": form, "errors": [],
                                      "error_fields": [], "organisations": organisations,
                                      "actor_names": queries.actor_names(
                                          session, {e["actor_id"] for e in page.items}),
                                      "names": names, "next_query": next_query,
                                      **_context(request)}, user=user)


@router.get("/gebeurtenissen/{seq}")
def event(seq: int, request: Request, session: DbSession, user: PrivacyOfficerPage) -> Response:
    item = queries.get_event(session, actor=user.principal, seq=seq)
    names = queries.organisation_names(session, {item["actor_organisation_id"],
                                                 item["recipient_organisation_id"]})
    actors = queries.actor_names(session, {item["actor_id"]})
    return render(request, "audit/event.html", {"event": item, "names": names,
                                                "actor_names": actors, **_context(request)},
                  user=user)


@router.get("/gebeurtenissen/{seq}/bewijs")
def proof(seq: int, session: DbSession, user: PrivacyOfficerPage) -> Response:
    """The event's inclusion proof (RFC 6962) as JSON, for the logged-in browser: the same
    as `GET /api/v1/audit/proof/{seq}`, which needs a bearer token."""
    found = service.inclusion_proof(session, actor=user.principal, seq=seq, tree_size=None)
    return JSONResponse({"seq": seq, **asdict(found)}, headers={
        "Content-Disposition": f'inline; filename="bewijs-{seq}.json"'})


@router.get("/tijdlijn")
def timeline(request: Request, session: DbSession, user: PrivacyOfficerPage,
             days: Annotated[int, Query(ge=7, le=366)] = 30) -> Response:
    today = now().astimezone(request.app.state.settings.zone).date()
    data = queries.disclosure_timeline(session, since=today - timedelta(days=days - 1),
                                       until=today)
    return render(request, "audit/timeline.html",
                  {"chart": line_chart(data.days, data.series), "days": days}, user=user)
