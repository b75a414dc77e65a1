"""Meeting pages (Dutch): my meetings, the create form, the poll grid with scheduling and
RSVP, the calendar file, and the family member's personal-link page (no account). Every
form answers with a redirect; a refusal shows the form again, with its input and a Dutch
message."""

from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData

from broker.clock import LEGAL_ZONE
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, Invalid, NotFound
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.meetings import service
from broker.meetings.models import Answer
from broker.meetings.schemas import AvailabilityIn, MeetingCreate, RsvpIn, ScheduleIn
from broker.web.forms import CheckedForm
from broker.web.i18n import gettext_ as _
from broker.web.navigation import N_
from broker.web.templating import refusal_text, render

router = APIRouter(include_in_schema=False)
ANSWERS = {Answer.YES: N_("ja"), Answer.IF_NEED_BE: N_("als het moet"), Answer.NO: N_("nee")}
ROLES = {"parent": N_("ouder"), "child": N_("kind"), "other": N_("gezinslid")}
# The services' refusals, as the pages say them.
MESSAGES = {
    "no_common_slot": N_("Er is geen moment waarop alle verplichte genodigden kunnen. Hieronder "
                         "ziet u per moment wie niet kan; kies zelf een moment."),
    "slot_in_past": N_("Dit moment ligt in het verleden. Kies een moment dat nog moet komen."),
    "meeting_closed": N_("Deze bijeenkomst is al gehouden en kan niet meer worden gewijzigd."),
    "meeting_cancelled": N_("Deze bijeenkomst is geannuleerd en kan niet meer worden "
                            "gewijzigd."),
    "unknown_slot": N_("Kies een van de voorgestelde momenten."),
    "unknown_invitee": N_("Nodig alleen bestaande organisaties en leden van dit gezin uit."),
    "not_your_answers": N_("U geeft alleen uw eigen beschikbaarheid op."),
    "not_organiser": N_("Alleen de regisseur die de bijeenkomst organiseert, kan dit doen."),
    "not_scheduled": N_("Dit kan pas als de bijeenkomst gepland is."),
    "validation": N_("Kies bij minstens één moment of u kunt."),
}
WARNINGS = {"cannot_at_chosen": N_("%(who)s moet erbij zijn, maar kan niet op het gekozen "
                                   "moment."),
            "declined": N_("%(who)s moet erbij zijn, maar heeft afgezegd.")}
NEW_LINKS = "meeting_links"  # flow-cookie key: show the family's links once, after creating


def message(request: Request, exc: BrokerError) -> str:
    return refusal_text(request, exc, MESSAGES, otherwise=N_("Dit kon niet worden verwerkt."))


@router.get("/bijeenkomsten")
def my_meetings(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    found = service.meetings_of(session, actor=user.principal)
    return render(request, "meetings/list.html", {
        "meetings": found, "moments": service.chosen_moments(session, found)}, user=user)


@dataclass
class Entered:
    """The create form as the user filled it in, to show again after a refusal."""

    title: str | None = None
    location: str = ""
    duration: str = "90"
    slots: list[str] = field(default_factory=list)
    members: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    required: set[str] | None = None

    @classmethod
    def of(cls, form: FormData) -> "Entered":
        return cls(title=str(form.get("title", "")), location=str(form.get("location", "")),
                   duration=str(form.get("duration_minutes", "90")),
                   slots=[str(v) for v in form.getlist("slots")],
                   members={str(v) for v in form.getlist("members")},
                   organisations={str(v) for v in form.getlist("organisations")},
                   required={str(v) for v in form.getlist("required")})


@router.get("/bijeenkomsten/nieuw")
def new(request: Request, session: DbSession, user: CurrentWebUser, household: str
        ) -> Response:
    return _form(request, session, user, household)


def _form(request: Request, session: DbSession, user: CurrentWebUser, household_id: str, *,
          error: str | None = None, status_code: int = 200,
          entered: Entered | None = None) -> Response:
    """The create form; after a plan, prefilled as the evaluation meeting: on the plan's
    evaluation date, with the previous meeting's invitees ticked."""
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    draft = None if entered else service.evaluation_draft(session, actor=user.principal,
                                                          household_id=household_id)
    return render(request, "meetings/new.html", {
        "view": view, "organisations": organisations, "error": error, "draft": draft,
        "entered": entered or Entered(), "roles": ROLES},
        user=user, status_code=status_code)


@router.post("/bijeenkomsten")
async def create(request: Request, session: DbSession, user: CurrentWebUser,
                 form: CheckedForm) -> Response:
    multi = await request.form()
    entered = Entered.of(multi)
    household_id = form.get("household_id", "")
    required = entered.required or set()
    try:
        invitees = [{"professional_id": user.professional.id, "required": True}]
        invitees += [{"member_id": m, "required": f"member:{m}" in required}
                     for m in sorted(entered.members)]
        invitees += [{"organisation_id": o, "required": f"org:{o}" in required}
                     for o in sorted(entered.organisations)]
        slots = [{"start": datetime.fromisoformat(v).replace(tzinfo=LEGAL_ZONE)}
                 for v in entered.slots if v]
        body = MeetingCreate.model_validate({
            "household_id": household_id, "title": entered.title,
            "duration_minutes": int(entered.duration or 90),
            "location": entered.location, "slots": slots, "invitees": invitees})
        view = service.create_meeting(session, actor=user.principal, body=body)
    except (ValidationError, ValueError):
        return _form(request, session, user, household_id, status_code=422, entered=entered,
                     error=_("Vul titel, plaats, een duur van 15 tot 480 minuten en minstens "
                             "één moment in."))
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, household_id, status_code=exc.status,
                     entered=entered, error=message(request, exc))
    # The family's personal links are shown once, on the page this redirect leads to.
    request.session[NEW_LINKS] = view.meeting.id
    return RedirectResponse(f"/bijeenkomsten/{view.meeting.id}", status_code=303)


@router.get("/bijeenkomsten/{meeting_id}")
def meeting(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser
            ) -> Response:
    links = None
    if request.session.get(NEW_LINKS) == meeting_id:
        request.session.pop(NEW_LINKS)
        links = service.personal_links(session, actor=user.principal, meeting_id=meeting_id)
    return _meeting(request, session, user, meeting_id, links=links)


def _meeting(request: Request, session: DbSession, user: CurrentWebUser, meeting_id: str, *,
             links: dict[str, str] | None = None, error: str | None = None,
             status_code: int = 200) -> Response:
    view = service.meeting_view(session, actor=user.principal, meeting_id=meeting_id)
    names = {i: n.name or _("%(role)s (naam afgeschermd)") % {"role": _(ROLES[n.role or "other"])}
             for i, n in service.invitee_names(session, user.principal, view).items()}
    mine = service.own_invitee_id(view, user.principal)
    organiser = service.organises(session, user.principal, view.meeting)
    household = f"/huishoudens/{view.meeting.household_id}" \
        if organiser or user.principal.has_role("regisseur") \
        else f"/gezinnen/{view.meeting.household_id}"
    return render(request, "meetings/meeting.html", {
        "view": view, "names": names, "answers": ANSWERS, "mine": mine,
        "organiser": organiser, "household_link": household,
        "reads_file": service.reads_the_file(session, user.principal, view.meeting),
        "links": links or {}, "error": error,
        "warnings": [_(WARNINGS[w.code]) % {"who": names[w.invitee_id]}
                     for w in view.warnings],
        "best": next((r for r in view.ranking if r.all_required
                      and r.slot.id in {s.id for s in view.open_slots()}), None),
        "ranking": {r.slot.id: r for r in view.ranking},
    }, user=user, status_code=status_code)


@router.post("/bijeenkomsten/{meeting_id}/beschikbaarheid")
def availability(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
                 form: CheckedForm) -> Response:
    member = form.get("member_id") or None
    try:
        body = _answers(form)
        service.record_availability(session, actor=user.principal, meeting_id=meeting_id,
                                    body=AvailabilityIn(answers=body.answers,
                                                        on_behalf_of_member_id=member))
    except BrokerError as exc:
        undo_failed(session, exc)
        return _meeting(request, session, user, meeting_id, error=message(request, exc),
                        status_code=exc.status)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


def _answers(form: dict[str, str]) -> AvailabilityIn:
    try:
        return AvailabilityIn.model_validate({"answers": [
            {"slot_id": key.removeprefix("slot:"), "answer": value}
            for key, value in form.items() if key.startswith("slot:") and value]})
    except ValidationError:
        raise Invalid("Choose for at least one moment whether you can come.",
                      code="validation") from None


@router.post("/bijeenkomsten/{meeting_id}/plannen")
def schedule(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
             form: CheckedForm) -> Response:
    try:
        body = ScheduleIn.model_validate({"slot_id": form.get("slot_id") or None})
    except ValidationError:
        return _meeting(request, session, user, meeting_id, status_code=422,
                        error=_("Kies een van de voorgestelde momenten."))
    try:
        service.schedule_meeting(session, actor=user.principal, meeting_id=meeting_id,
                                 body=body)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _meeting(request, session, user, meeting_id, error=message(request, exc),
                        status_code=exc.status)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


@router.post("/bijeenkomsten/{meeting_id}/komst")
def rsvp(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
         form: CheckedForm) -> Response:
    try:
        body = RsvpIn.model_validate({"response": form.get("response", "")})
    except ValidationError:
        return _meeting(request, session, user, meeting_id, status_code=422,
                        error=_("Kies of u komt, misschien komt of niet komt."))
    try:
        service.rsvp(session, actor=user.principal, meeting_id=meeting_id, body=body)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _meeting(request, session, user, meeting_id, error=message(request, exc),
                        status_code=exc.status)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


@router.post("/bijeenkomsten/{meeting_id}/annuleren")
def cancel(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
           form: CheckedForm) -> Response:
    try:
        service.cancel_meeting(session, actor=user.principal, meeting_id=meeting_id)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _meeting(request, session, user, meeting_id, error=message(request, exc),
                        status_code=exc.status)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


@router.get("/bijeenkomsten/{meeting_id}/agenda.ics")
def calendar_file(meeting_id: str, session: DbSession, user: CurrentWebUser) -> Response:
    """The calendar file for a logged-in browser: the same as the API's, on the same terms
    as the meeting page."""
    body, media_type = service.meeting_calendar(session, actor=user.principal,
                                                meeting_id=meeting_id)
    return Response(body, media_type=media_type, headers={
                        "Content-Disposition": 'attachment; filename="bijeenkomst.ics"'})


@router.get("/uitnodiging/bedankt")
def thanks(request: Request) -> Response:
    return render(request, "meetings/thanks.html", {"family_link_page": True})


@router.get("/uitnodiging/{token}")
def invitation(token: str, request: Request, session: DbSession) -> Response:
    """The family member's page: when could you come, or, once planned, when it is. No
    names, no account."""
    return _invitation(request, session, token)


def _dead_link(request: Request, status_code: int) -> Response:
    return render(request, "meetings/link_expired.html", {"family_link_page": True},
                  status_code=status_code)


def _invitation(request: Request, session: DbSession, token: str, *,
                error: str | None = None, status_code: int = 200) -> Response:
    try:
        meeting_, slots = service.link_invitation(session, token=token)
    except service.LinkExpired:
        return _dead_link(request, 410)
    except NotFound:  # a mistyped or unknown link: the same next step for the family
        return _dead_link(request, 404)
    return render(request, "meetings/invitation.html", {
        "meeting": meeting_, "slots": slots, "answers": ANSWERS, "token": token,
        "chosen": next((s for s in slots if s.id == meeting_.slot_id), None),
        "error": error, "family_link_page": True}, status_code=status_code)


@router.post("/uitnodiging/{token}")
def answer_invitation(token: str, request: Request, session: DbSession, form: CheckedForm
                      ) -> Response:
    try:
        service.answer_by_link(session, token=token, body=_answers(form))
    except service.LinkExpired:
        return _dead_link(request, 410)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _invitation(request, session, token, error=message(request, exc),
                           status_code=exc.status)
    return RedirectResponse("/uitnodiging/bedankt", status_code=303)
