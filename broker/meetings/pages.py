"""Meeting pages (Dutch): my meetings, the create form, the poll grid with scheduling and
RSVP, and the family member's personal-link page (no account)."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from broker.clock import LEGAL_ZONE
from broker.db import DbSession, undo_failed
from broker.errors import BrokerError, Invalid
from broker.households import service as households
from broker.identity.deps import CurrentWebUser
from broker.identity.models import Organisation
from broker.meetings import service
from broker.meetings.models import Answer
from broker.meetings.schemas import AvailabilityIn, MeetingCreate, RsvpIn, ScheduleIn
from broker.web.forms import CheckedForm
from broker.web.navigation import N_
from broker.web.templating import render

router = APIRouter(include_in_schema=False)
ANSWERS = {Answer.YES: N_("ja"), Answer.IF_NEED_BE: N_("als het moet"), Answer.NO: N_("nee")}


@router.get("/bijeenkomsten")
def my_meetings(request: Request, session: DbSession, user: CurrentWebUser) -> Response:
    return render(request, "meetings/list.html", {
        "meetings": service.meetings_of(session, actor=user.principal)}, user=user)


@router.get("/bijeenkomsten/nieuw")
def new(request: Request, session: DbSession, user: CurrentWebUser, household: str
        ) -> Response:
    return _form(request, session, user, household)


def _form(request: Request, session: DbSession, user: CurrentWebUser, household_id: str, *,
          error: str | None = None, status_code: int = 200) -> Response:
    """The create form; after a plan, prefilled as the evaluation meeting: on the plan's
    evaluation date, with the previous meeting's invitees ticked."""
    view = households.view_household(session, actor=user.principal, household_id=household_id)
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    draft = service.evaluation_draft(session, actor=user.principal, household_id=household_id)
    return render(request, "meetings/new.html", {
        "view": view, "organisations": organisations, "error": error, "draft": draft},
        user=user, status_code=status_code)


@router.post("/bijeenkomsten")
async def create(request: Request, session: DbSession, user: CurrentWebUser,
                 form: CheckedForm) -> Response:
    multi = await request.form()
    household_id = form.get("household_id", "")
    required = {str(v) for v in multi.getlist("required")}
    try:
        invitees = [{"professional_id": user.professional.id, "required": True}]
        invitees += [{"member_id": str(m), "required": f"member:{m}" in required}
                     for m in multi.getlist("members")]
        invitees += [{"organisation_id": str(o), "required": f"org:{o}" in required}
                     for o in multi.getlist("organisations")]
        slots = [{"start": datetime.fromisoformat(str(v)).replace(tzinfo=LEGAL_ZONE)}
                 for v in multi.getlist("slots") if v]
        body = MeetingCreate.model_validate({
            "household_id": household_id, "title": form.get("title", ""),
            "duration_minutes": int(form.get("duration_minutes") or 90),
            "location": form.get("location", ""), "slots": slots, "invitees": invitees})
        view = service.create_meeting(session, actor=user.principal, body=body)
    except (ValidationError, ValueError):
        return _form(request, session, user, household_id, status_code=422,
                     error="Vul titel, plaats en minstens één moment in.")
    except BrokerError as exc:
        undo_failed(session, exc)
        return _form(request, session, user, household_id, status_code=exc.status, error=exc.detail)
    # Shown once: the personal links for the family, to pass on.
    return _meeting(request, session, user, view.meeting.id, links=view.links)


@router.get("/bijeenkomsten/{meeting_id}")
def meeting(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser
            ) -> Response:
    return _meeting(request, session, user, meeting_id)


def _meeting(request: Request, session: DbSession, user: CurrentWebUser, meeting_id: str, *,
             links: dict[str, str] | None = None, error: str | None = None,
             status_code: int = 200) -> Response:
    view = service.meeting_view(session, actor=user.principal, meeting_id=meeting_id)
    names = service.invitee_names(session, user.principal, view)
    mine = service.own_invitee_id(view, user.principal)
    return render(request, "meetings/meeting.html", {
        "view": view, "names": names, "answers": ANSWERS, "mine": mine,
        "organiser": service.organises(session, user.principal, view.meeting),
        "links": links or {}, "error": error,
        "best": next((r for r in view.ranking if r.all_required), None),
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
        return _meeting(request, session, user, meeting_id, error=exc.detail,
                        status_code=exc.status)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


def _answers(form: dict[str, str]) -> AvailabilityIn:
    try:
        return AvailabilityIn.model_validate({"answers": [
            {"slot_id": key.removeprefix("slot:"), "answer": value}
            for key, value in form.items() if key.startswith("slot:") and value]})
    except ValidationError:
        raise Invalid("Kies bij minstens één moment of u kunt.", code="validation") from None


@router.post("/bijeenkomsten/{meeting_id}/plannen")
def schedule(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
             form: CheckedForm) -> Response:
    try:
        body = ScheduleIn.model_validate({"slot_id": form.get("slot_id") or None})
    except ValidationError:
        return _meeting(request, session, user, meeting_id, status_code=422,
                        error="Kies een van de voorgestelde momenten.")
    try:
        service.schedule_meeting(session, actor=user.principal, meeting_id=meeting_id,
                                 body=body)
    except BrokerError as exc:
        undo_failed(session, exc)
        return _meeting(request, session, user, meeting_id, error=exc.detail,
                        status_code=exc.status)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


@router.post("/bijeenkomsten/{meeting_id}/komst")
def rsvp(meeting_id: str, request: Request, session: DbSession, user: CurrentWebUser,
         form: CheckedForm) -> Response:
    try:
        body = RsvpIn.model_validate({"response": form.get("response", "")})
    except ValidationError:
        return _meeting(request, session, user, meeting_id, status_code=422,
                        error="Kies of u komt, misschien komt of niet komt.")
    service.rsvp(session, actor=user.principal, meeting_id=meeting_id, body=body)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


@router.post("/bijeenkomsten/{meeting_id}/annuleren")
def cancel(meeting_id: str, session: DbSession, user: CurrentWebUser, form: CheckedForm
           ) -> Response:
    service.cancel_meeting(session, actor=user.principal, meeting_id=meeting_id)
    return RedirectResponse(f"/bijeenkomsten/{meeting_id}", status_code=303)


@router.get("/uitnodiging/{token}")
def invitation(token: str, request: Request, session: DbSession) -> Response:
    """The family member's page: when could you come? No names, no account."""
    meeting_, slots = service.link_invitation(session, token=token)
    return render(request, "meetings/invitation.html", {
        "meeting": meeting_, "slots": slots, "answers": ANSWERS, "token": token})


@router.post("/uitnodiging/{token}")
def answer_invitation(token: str, request: Request, session: DbSession, form: CheckedForm
                      ) -> Response:
    service.answer_by_link(session, token=token, body=_answers(form))
    return render(request, "meetings/thanks.html", {})
