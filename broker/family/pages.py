"""The family page (plain Dutch, B1), the link a regisseur sends, and the privacy officer's
list of requests for destruction."""

from collections.abc import Callable
from datetime import date, datetime

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from broker.audit.deps import PrivacyOfficerPage
from broker.audit.labels import ACTIONS
from broker.clock import local_day, now
from broker.db import DbSession, undo_failed
from broker.errors import Conflict, Invalid
from broker.family import destruction, labels, service, withholdings
from broker.family.deps import FAMILY_COOKIE, FamilyPageMember
from broker.family.schemas import PrivateCreate
from broker.identity.deps import CurrentWebUser
from broker.web.forms import CheckedForm
from broker.web.templating import language_of, render

router = APIRouter(include_in_schema=False)


def _dates(request: Request) -> dict[str, Callable[..., str]]:
    """Dates as a family reads them: '7 augustus 2028', 'december 2026', 'mei'."""
    language = language_of(request)
    zone = request.app.state.settings.zone

    def day(value: str | date | datetime) -> str:
        if isinstance(value, str):  # the log's ISO time, UTC
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, datetime):
            value = value.astimezone(zone).date()
        return format_date(value, "d MMMM yyyy", locale=language)

    def month(value: date, *, year: bool = True) -> str:
        return format_date(value, "MMMM yyyy" if year else "MMMM", locale=language)

    return {"day": day, "month": month}


def _link_error(request: Request, error: service.LinkUnusable) -> Response:
    return render(request, "family/link_error.html", {"error": error, "family_link_page": True},
                  status_code=error.status)


def _closed(request: Request) -> Response:
    """No live family session (it ended after two hours, or the member closed the page)."""
    return render(request, "family/closed.html", {"family_link_page": True}, status_code=401)


@router.get("/mijn/link/{token}")
def link_page(token: str, request: Request, session: DbSession) -> Response:
    """A button, not a redirect: mail scanners open links, and must not use them up. A link
    that no longer works says so at once, and what to do."""
    try:
        service.check_link(session, token=token)
    except service.LinkUnusable as error:
        return _link_error(request, error)
    return render(request, "family/link.html", {"token": token, "family_link_page": True})


@router.post("/mijn/link/{token}")
def use_link(token: str, request: Request, session: DbSession, form: CheckedForm) -> Response:
    try:
        raw = service.open_link(session, token=token)
    except service.LinkUnusable as error:
        return _link_error(request, error)
    settings = request.app.state.settings
    response = RedirectResponse("/mijn", status_code=303)
    response.set_cookie(FAMILY_COOKIE, raw, max_age=service.SESSION_HOURS * 3600,
                        httponly=True, samesite="lax", secure=settings.secure_cookies)
    return response


@router.get("/mijn")
def my_page(request: Request, session: DbSession, member: FamilyPageMember) -> Response:
    if member is None:
        return _closed(request)
    view = service.overview(session, member=member)
    return render(request, "family/mine.html", {
        "view": view, "names": service.given_names(session, view.people),
        "policy": request.app.state.policy, "labels": labels, "family_session": True,
        "requests": view.requests, "today": local_day(now()),
        "withdrawn": request.query_params.get("ingetrokken"),
        "grounds": request.app.state.policy.retention.destruction.refusal_grounds,
        **_dates(request)})


@router.post("/mijn/toestemming/{consent_id}/intrekken")
def withdraw(consent_id: str, request: Request, session: DbSession, member: FamilyPageMember,
             form: CheckedForm) -> Response:
    if member is None:
        return _closed(request)
    try:
        service.withdraw(session, member=member, consent_id=consent_id)
    except Conflict as exc:  # withdrawn already (tapped twice): the page shows it withdrawn
        undo_failed(session, exc)
    return RedirectResponse(f"/mijn?ingetrokken={consent_id}#toestemming", status_code=303)


@router.post("/mijn/prive")
def keep_private(request: Request, session: DbSession, member: FamilyPageMember,
                 form: CheckedForm) -> Response:
    """A youth keeps one of their items from their parents, or shows it to them again."""
    if member is None:
        return _closed(request)
    try:
        body = PrivateCreate.model_validate({"object_type": form.get("object_type"),
                                             "object_id": form.get("object_id")})
    except ValidationError:
        raise Invalid("Kies iets van uw eigen pagina.", code="validation") from None
    if form.get("share") == "1":
        withholdings.share_again(session, member=member, object_type=body.object_type,
                                 object_id=body.object_id)
    else:
        service.keep_private(session, member=member, body=body)
    return RedirectResponse("/mijn#plan", status_code=303)


@router.post("/mijn/vernietiging")
def request_destruction(request: Request, session: DbSession, member: FamilyPageMember,
                        form: CheckedForm) -> Response:
    if member is None:
        return _closed(request)
    try:
        destruction.request_destruction(session, member=member)
    except Conflict as exc:  # asked twice (a second tab): the page shows the open request
        undo_failed(session, exc)
    return RedirectResponse("/mijn#vernietiging", status_code=303)


@router.post("/mijn/uitloggen")
def log_out(request: Request, session: DbSession, form: CheckedForm) -> Response:
    service.end_session(session, request.cookies.get(FAMILY_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(FAMILY_COOKIE)
    return response


MADE_LINK = "made_link"  # the new link, for one showing after the redirect


@router.post("/huishoudens/{household_id}/leden/{member_id}/link")
def send_link(household_id: str, member_id: str, request: Request, session: DbSession,
              user: CurrentWebUser, form: CheckedForm) -> Response:
    """Redirects to a page that shows the link once: a reload makes no second link. The link
    waits in the signed flow cookie of the regisseur's own browser until that page."""
    made = service.create_link(session, actor=user.principal, household_id=household_id,
                               member_id=member_id)
    request.session[MADE_LINK] = {"member_id": member_id, "url": made.url,
                                  "sent_to": made.sent_to,
                                  "expires_at": made.link.expires_at.isoformat()}
    return RedirectResponse(request.url.path, status_code=303)


@router.get("/huishoudens/{household_id}/leden/{member_id}/link")
def link_made(household_id: str, member_id: str, request: Request, user: CurrentWebUser
              ) -> Response:
    made = request.session.get(MADE_LINK)
    if not isinstance(made, dict) or made.get("member_id") != member_id:
        return RedirectResponse(f"/huishoudens/{household_id}", status_code=303)
    request.session.pop(MADE_LINK)
    return render(request, "family/link_made.html", {"made": made,
                                                     "household_id": household_id}, user=user)


@router.get("/verantwoording/vernietiging")
def destruction_requests(request: Request, session: DbSession, user: PrivacyOfficerPage
                         ) -> Response:
    requests = destruction.open_requests(session, actor=user.principal)
    return render(request, "family/requests.html", {
        "requests": requests, "today": local_day(now()), "actions": ACTIONS,
        "grounds": request.app.state.policy.retention.destruction.refusal_grounds}, user=user)


@router.post("/verantwoording/vernietiging/{request_id}")
def decide(request_id: str, session: DbSession, user: PrivacyOfficerPage, form: CheckedForm
           ) -> Response:
    destruction.decide(session, actor=user.principal, request_id=request_id,
                       destroy=form.get("decision") == "destroy",
                       reason=form.get("reason", "").strip() or None,
                       ground=form.get("ground") or None)
    return RedirectResponse("/verantwoording/vernietiging", status_code=303)
