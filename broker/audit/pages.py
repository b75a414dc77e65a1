"""The privacy officer's pages (Dutch): search the log, one event, a person's report, a
timeline of disclosures per organisation."""

from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from broker.audit import queries
from broker.audit.chart import line_chart
from broker.audit.deps import PrivacyOfficerPage
from broker.audit.labels import ACTIONS, BASES
from broker.clock import now
from broker.db import DbSession
from broker.web.templating import render

router = APIRouter(prefix="/verantwoording", include_in_schema=False)


def _day_start(day: date | None, request: Request) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=request.app.state.settings.zone)


def _context(request: Request) -> dict[str, object]:
    return {"actions": ACTIONS, "bases": BASES, "policy": request.app.state.policy}


@router.get("")
def events(request: Request, session: DbSession, user: PrivacyOfficerPage,
           subject_id: str = "", actor_id: str = "", organisation_id: str = "",
           action: str = "", basis: str = "", since: date | None = None,
           until: date | None = None,
           cursor: Annotated[str | None, Query(pattern=r"^\d+$")] = None) -> Response:
    where = queries.EventFilter(subject_id or None, actor_id or None, organisation_id or None,
                                action or None, basis or None, _day_start(since, request),
                                _day_start(until + timedelta(days=1) if until else None,
                                           request))
    page = queries.search_events(session, actor=user.principal, where=where, cursor=cursor)
    form = {"subject_id": subject_id, "actor_id": actor_id, "organisation_id": organisation_id,
            "action": action, "basis": basis, "since": since or "", "until": until or ""}
    names = queries.organisation_names(session, {e["actor_organisation_id"] for e in page.items}
                                       | {e["recipient_organisation_id"] for e in page.items})
    next_query = urlencode({**{k: v for k, v in form.items() if v},
                            "cursor": page.next_cursor}) if page.next_cursor else None
    template = "audit/_events.html" if request.headers.get("hx-request") else "audit/events.html"
    return render(request, template, {"page": page, "form": form, "names": names,
                                      "next_query": next_query, **_context(request)}, user=user)


@router.get("/gebeurtenissen/{seq}")
def event(seq: int, request: Request, session: DbSession, user: PrivacyOfficerPage) -> Response:
    item = queries.get_event(session, actor=user.principal, seq=seq)
    names = queries.organisation_names(session, {item["actor_organisation_id"],
                                                 item["recipient_organisation_id"]})
    return render(request, "audit/event.html", {"event": item, "names": names,
                                                **_context(request)}, user=user)


@router.get("/personen")
def person_form(request: Request, user: PrivacyOfficerPage, subject_id: str = "") -> Response:
    if subject_id:
        return RedirectResponse(f"/verantwoording/personen/{subject_id}", status_code=303)
    return render(request, "audit/person_form.html", _context(request), user=user)


@router.get("/personen/{subject_id}")
def person_report(subject_id: str, request: Request, session: DbSession,
                  user: PrivacyOfficerPage) -> Response:
    lines = queries.subject_report(session, actor=user.principal, subject_id=subject_id)
    return render(request, "audit/person.html", {"subject_id": subject_id, "lines": lines,
                                                 **_context(request)}, user=user)


@router.get("/tijdlijn")
def timeline(request: Request, session: DbSession, user: PrivacyOfficerPage,
             days: Annotated[int, Query(ge=7, le=366)] = 30) -> Response:
    today = now().astimezone(request.app.state.settings.zone).date()
    data = queries.disclosure_timeline(session, since=today - timedelta(days=days - 1),
                                       until=today)
    return render(request, "audit/timeline.html",
                  {"chart": line_chart(data.days, data.series), "days": days}, user=user)
